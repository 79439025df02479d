using Customer360.Api.V1;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Customer360.Server.Security;

/// <summary>
/// The three kinds of client and what each may call. Tills write touchpoints; call-centre
/// agents read and watch customers and segments, and keep profiles up to date; operators may
/// call everything, including imports and the value models. A key may hold several roles.
/// </summary>
public static class ApiRoles
{
    public const string Till = "till";
    public const string Agent = "agent";
    public const string Operator = "operator";

    public static readonly IReadOnlyList<string> All = [Till, Agent, Operator];

    // Method paths are compared without regard to case, as ASP.NET Core's routing matches them:
    // "/CUSTOMER360.V1.CUSTOMERSERVICE/GETCUSTOMER" reaches GetCustomer, so it must be guarded
    // as GetCustomer is.
    private static readonly StringComparer PathComparer = StringComparer.OrdinalIgnoreCase;

    // By full method path ("/customer360.v1.CustomerService/GetCustomer"): the roles besides
    // Operator that may call it. A method missing here is the operator's alone.
    private static readonly Dictionary<string, string[]> OthersByMethod = new(PathComparer)
    {
        [PathOf(CustomerService.Descriptor, "UpsertProfile")] = [Agent],
        [PathOf(CustomerService.Descriptor, "RecordTouchpoint")] = [Till],
        [PathOf(CustomerService.Descriptor, "StreamTouchpoints")] = [Till],
        [PathOf(CustomerService.Descriptor, "StreamTouchpointBatches")] = [Till],
        [PathOf(CustomerService.Descriptor, "GetCustomer")] = [Agent],
        [PathOf(CustomerService.Descriptor, "ListTouchpoints")] = [Agent],
        [PathOf(CustomerService.Descriptor, "WatchCustomer")] = [Agent],
        [PathOf(SegmentService.Descriptor, "ListSegments")] = [Agent],
        [PathOf(SegmentService.Descriptor, "GetSegment")] = [Agent],
        [PathOf(SegmentService.Descriptor, "WatchSegment")] = [Agent],
        [PathOf(ValueModelService.Descriptor, "GetValueModel")] = [Agent],
    };

    /// <summary>The services whose calls need a key when keys are configured.</summary>
    public static readonly IReadOnlyList<ServiceDescriptor> Services =
        [CustomerService.Descriptor, SegmentService.Descriptor, ValueModelService.Descriptor];

    // "/customer360.v1.CustomerService/" and the others: the start of every guarded method's path.
    private static readonly string[] GuardedPrefixes = [.. Services.Select(s => $"/{s.FullName}/")];

    /// <summary>Whether a call to <paramref name="method"/> (a full method path) needs a key at all.</summary>
    public static bool Guards(string method) =>
        GuardedPrefixes.Any(prefix => method.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    // The whole list for each method, made once: AllowedFor is asked on every guarded call.
    private static readonly Dictionary<string, string[]> AllowedByMethod =
        OthersByMethod.ToDictionary(m => m.Key, m => (string[])[.. m.Value, Operator], PathComparer);

    private static readonly string[] OperatorOnly = [Operator];

    /// <summary>The roles that may call <paramref name="method"/>, operator last.</summary>
    public static IReadOnlyList<string> AllowedFor(string method) => AllowedByMethod.GetValueOrDefault(method) ?? OperatorOnly;

    public static string PathOf(ServiceDescriptor service, string method) =>
        $"/{service.FullName}/{(service.FindMethodByName(method) ?? throw new ArgumentException($"{service.FullName} has no method {method}", nameof(method))).Name}";
}
