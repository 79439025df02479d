namespace Customer360.Domain.Values;

/// <summary>A customer's value band. Values match the public API's enum numbers.</summary>
public enum ValueTier
{
    Unspecified = 0,
    Bronze = 1,
    Silver = 2,
    Gold = 3,
    Platinum = 4,
}
