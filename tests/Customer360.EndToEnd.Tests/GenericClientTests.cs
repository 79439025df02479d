using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace Customer360.EndToEnd.Tests;

/// <summary>Generic gRPC tools work with no project code: health checks and server reflection.</summary>
[Collection(ServerCollection.Name)]
public sealed class GenericClientTests(ServerFixture fixture)
{
    [Fact]
    public async Task HealthServiceReportsServing()
    {
        var health = new Health.HealthClient(fixture.Server.Channel);
        var response = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task ReflectionListsThePublicServices()
    {
        var reflection = new ServerReflection.ServerReflectionClient(fixture.Server.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();
        Assert.Contains("customer360.v1.CustomerService", services);
        Assert.Contains("customer360.v1.SegmentService", services);
    }
}
