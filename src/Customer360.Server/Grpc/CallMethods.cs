using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace Customer360.Server.Grpc;

public static class CallMethods
{
    /// <summary>
    /// The full name of the method a call was routed to ("customer360.v1.CustomerService/GetCustomer").
    /// <see cref="ServerCallContext.Method"/> is the request's path as sent, which routing matches
    /// without regard to case, so it cannot key anything a client must not multiply.
    /// </summary>
    public static string NameOf(ServerCallContext context) =>
        context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.FullName ?? context.Method;
}
