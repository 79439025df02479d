namespace Customer360.Contracts.Customers;

/// <summary>
/// Maps customer ids to grain keys. Orleans' ADO.NET storage stores a string key that parses as
/// a hexadecimal number or a GUID as that number, so "abc", "ABC", "0abc" and "00abc" (and a
/// GUID in upper and lower case) would share one storage row. A prefix that can never parse as
/// either keeps every customer id its own row, compared exactly.
/// </summary>
public static class CustomerKeys
{
    public const string Prefix = "c:";

    public static string ToGrainKey(string customerId) => Prefix + customerId;

    public static string FromGrainKey(string grainKey) =>
        grainKey.StartsWith(Prefix, StringComparison.Ordinal) ? grainKey[Prefix.Length..] : grainKey;
}
