using Grpc.Core;

namespace Customer360.Cli.Import;

/// <summary>
/// The trailer on UpsertProfile replies that says whether the request changed the profile (see
/// protos/customer360/v1/customers.proto).
/// </summary>
internal static class ProfileChangedTrailer
{
    public const string Name = "c360-profile-changed";

    /// <summary>False only when the server says the profile was left as it was; a server that does not say counts as changed.</summary>
    public static bool SaysChanged(Metadata trailers) => trailers.GetValue(Name) != "false";
}
