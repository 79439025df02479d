using Customer360.Server.Hosting;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = ServerContentRoot.Choose(args, Directory.GetCurrentDirectory(), AppContext.BaseDirectory),
});
builder.AddCustomer360Server();

var app = builder.Build();
app.MapCustomer360Services();
app.Run();
