using Customer360.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddCustomer360Server();

var app = builder.Build();
app.MapCustomer360Services();
app.Run();
