using Customer360.Contracts.Values;
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
public sealed class ValueModelCache(IOptions<Customer360Options> options, IGrainFactory grains)
{
    private readonly Lock _fetchLock = new();
    private CustomerRules _rules = options.Value.ToRules();
    private Task? _fetch;
    private volatile bool _asked;

    /// <summary>The configured rules with no model: the fallback score, for replays that are rescored once at the end.</summary>
    public CustomerRules RulesWithoutModel { get; } = options.Value.ToRules();

    /// <summary>The rules with the newest model this silo knows.</summary>
    public CustomerRules Rules => Volatile.Read(ref _rules);

    public ValueModel? Model => Rules.ValueModel;

    /// <summary>Version of the model held; 0 when none.</summary>
    public long ModelVersion => Model?.Version ?? 0;

    /// <summary>
    /// False until this silo has asked the value model grain once. Before that, no model held
    /// does not mean no model fitted: a silo starting up restores customers (segment recovery)
    /// before its refresher first runs.
    /// </summary>
    public bool HasAsked => _asked;

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

    /// <summary>
    /// The rules with model <paramref name="version"/> or newer: a silo learns of a new model
    /// within its refresh interval, but a customer rescored by the sweep, or restored from a
    /// snapshot scored with a newer model, must not wait for that or fall back to an older model.
    /// The model is then fetched at once, by one call however many customers ask. A silo that
    /// has never asked for the model asks first, whatever <paramref name="version"/> is.
    /// </summary>
    public async Task<CustomerRules> RulesAtLeastAsync(long version)
    {
        if (_asked && ModelVersion >= version)
        {
            return Rules;
        }

        Task fetch;
        lock (_fetchLock)
        {
            fetch = _fetch is { IsCompleted: false } running ? running : _fetch = RefreshAsync();
        }

        await fetch;
        return Rules;
    }

    /// <summary>Asks the value model grain for the current model and takes it if newer; true if it was taken.</summary>
    public async Task<bool> RefreshAsync()
    {
        var status = await grains.GetGrain<IValueModelGrain>(IValueModelGrain.Key).GetAsync();
        var taken = Offer(status.Model);
        _asked = true;
        return taken;
    }
}
