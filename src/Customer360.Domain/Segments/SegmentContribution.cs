namespace Customer360.Domain.Segments;

/// <summary>
/// What one customer adds to one segment's figures. A customer reports its contribution with
/// its version; a segment keeps the highest version it has seen per customer, so repeated or
/// reordered reports are harmless and a move between segments lands exactly once.
/// </summary>
public readonly record struct SegmentContribution(string SegmentId, decimal NetSpend, decimal ValueScore);
