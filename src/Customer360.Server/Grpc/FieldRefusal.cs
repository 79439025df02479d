using Customer360.Domain.Validation;
using Grpc.Core;

namespace Customer360.Server.Grpc;

/// <summary>
/// A refusal of one field (INVALID_ARGUMENT, or FAILED_PRECONDITION for an event id recorded
/// with other content or a touchpoint of an erased history), its status text "field: reason" as every RPC answers. A stream's
/// REJECTED ack takes <see cref="Field"/> from here, never back out of the text: a field path
/// may hold ": " itself, as an attribute key such as <c>attributes[note: x]</c> can.
/// </summary>
public class FieldRefusal(StatusCode code, ValidationError error) : RpcException(new Status(code, error.ToString()))
{
    /// <summary>The refused field's path, e.g. <c>touchpoint.attributes[note: x]</c>.</summary>
    public string Field => error.Field;
}

/// <summary>
/// A touchpoint of a customer's erased history (dated at or before its erasure): FAILED_PRECONDITION
/// naming its <c>occurred_at</c>, counted apart from conflicts in the metrics.
/// </summary>
public sealed class ErasedHistoryRefusal(ValidationError error) : FieldRefusal(StatusCode.FailedPrecondition, error);
