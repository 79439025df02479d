using Customer360.Domain.Customers;

namespace Customer360.Grains.Customers;

/// <summary>What a customer grain persists: the whole customer, null until first written.</summary>
[GenerateSerializer, Alias("c360.CustomerGrainState")]
public sealed class CustomerGrainState
{
    [Id(0)] public Customer? Customer { get; set; }
}
