using Customer360.Domain.Customers;
using Customer360.Domain.Values;
using Customer360.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace Customer360.Grains.Values;

/// <summary>
/// This silo's copy of the current value model, inside the rules every customer on the silo is
/// kept by. Customers read it on every change, so it is one volatile reference; it only ever
/// moves to a newer model version.
/// </summary>
public sealed class ValueModelCache(IOptions<Customer360Options> options)
{
    private CustomerRules _rules = options.Value.ToRules();

    /// <summary>The configured rules with no model: the fallback score, for replays that are rescored once at the end.</summary>
    public CustomerRules RulesWithoutModel { get; } = options.Value.ToRules();

    /// <summary>The rules with the newest model this silo knows.</summary>
    public CustomerRules Rules => Volatile.Read(ref _rules);

    public ValueModel? Model => Rules.ValueModel;

    /// <summary>Takes <paramref name="model"/> if it is newer than the one held; true if it was taken.</summary>
    public bool Offer(ValueModel? model)
    {
        while (true)
        {
            var current = Volatile.Read(ref _rules);
            if (model is null || model.Version <= (current.ValueModel?.Version ?? 0))
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _rules, current with { ValueModel = model }, current) == current)
            {
                return true;
            }
        }
    }
}
