namespace Customer360.Grains.Configuration;

/// <summary>Names that tie grains to the configured grain storage.</summary>
public static class StorageNames
{
    /// <summary>The grain storage provider every Customer360 grain persists to.</summary>
    public const string Store = "customer360";

    /// <summary>State name of customer grains; storage rows are keyed by it.</summary>
    public const string CustomerState = "customer";

    /// <summary>State name of segment grains; distinct from every other grain's.</summary>
    public const string SegmentState = "segment";

    /// <summary>State name of the value model grain.</summary>
    public const string ValueModelState = "value-model";

    /// <summary>State name of the value model grain's re-scoring sweep (its cursor and progress).</summary>
    public const string RescoringSweepState = "value-model-sweep";
}
