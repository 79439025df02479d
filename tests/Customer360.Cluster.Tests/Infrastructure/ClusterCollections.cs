namespace Customer360.Cluster.Tests.Infrastructure;

/// <summary>
/// The cluster most tests share. Tests in it use fresh customer ids and never rely on what
/// other tests put in segments.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Shared cluster";
}

/// <summary>
/// A cluster for the segment load test alone: it compares whole-segment figures with the
/// views of the customers it created, so no other customer may exist there.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SegmentLoadClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Segment load cluster";
}

/// <summary>
/// A cluster for the tier move test alone: it checks absolute member counts, so its one
/// customer must be the only customer there.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TierMoveClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Tier move cluster";
}
