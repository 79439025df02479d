using System.Globalization;
using System.Threading.RateLimiting;

namespace Customer360.Server.Security;

/// <summary>
/// How much one API key may send: a token bucket that refills at the key's rate and holds at
/// most its burst. A unary call, a watch or a touchpoint stream takes one token as it starts; a
/// stream's message takes one per touchpoint it carries. A call that finds the bucket empty as
/// it starts is refused; a stream's message waits for its tokens instead, so an open stream is
/// slowed to the rate, never broken.
/// </summary>
public sealed class KeyRateLimit : IDisposable
{
    /// <summary>The slowest and fastest rates a key may be given, a second.</summary>
    public const double SlowestRate = 0.001, FastestRate = 1_000_000;

    // The bucket refills in steps of about this length, so that a high rate does not arrive in
    // one lump per second.
    private static readonly TimeSpan StepAim = TimeSpan.FromMilliseconds(50);

    private readonly TokenBucketRateLimiter _bucket;

    public KeyRateLimit(double ratePerSecond, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ratePerSecond, SlowestRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ratePerSecond, FastestRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, SmallestBurst(ratePerSecond));
        RatePerSecond = ratePerSecond;
        Burst = burst;
        (StepTokens, Step) = StepFor(ratePerSecond, burst);
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = StepTokens,
            ReplenishmentPeriod = Step,
            AutoReplenishment = true,
            // Waiting streams are served in the order they came; how many may wait is bounded by
            // the streams themselves (each waits for one message at a time).
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Tokens added at each step of the refill.</summary>
    public int StepTokens { get; }

    /// <summary>How often the bucket refills: <see cref="StepTokens"/> over it is the rate, exactly.</summary>
    public TimeSpan Step { get; }

    /// <summary>
    /// A whole number of tokens, and the period that makes them the rate: one token every 1/rate
    /// seconds for rates up to 20 a second, and for faster ones as many tokens as come in about
    /// 50 ms, over exactly the time they take at the rate. Never more than the bucket holds,
    /// since it keeps no more than <paramref name="burst"/> at any step, and the rest would be lost.
    /// </summary>
    public static (int Tokens, TimeSpan Period) StepFor(double ratePerSecond, int burst)
    {
        var tokens = Math.Clamp((int)Math.Round(ratePerSecond * StepAim.TotalSeconds), SmallestBurst(ratePerSecond), burst);
        return (tokens, TimeSpan.FromSeconds(tokens / ratePerSecond));
    }

    /// <summary>
    /// The least a bucket may hold at a rate: a millisecond's worth. The bucket's timer counts
    /// whole milliseconds, so a step must take at least one, and holds what comes in it. (Periods
    /// are rounded to the millisecond, so a rate is kept to within about 1%.)
    /// </summary>
    public static int SmallestBurst(double ratePerSecond) => Math.Max(1, (int)Math.Ceiling(ratePerSecond / 1000));

    public double RatePerSecond { get; }

    public int Burst { get; }

    /// <summary>The limit for a key's settings, or null for a key without one.</summary>
    public static KeyRateLimit? For(ApiKeyOptions key) =>
        key.RatePerSecond is { } rate ? new KeyRateLimit(rate, BurstOf(key, rate)) : null;

    /// <summary>Whether this limit is what <paramref name="key"/>'s settings ask for, so that it can be kept across a change.</summary>
    public bool Matches(ApiKeyOptions key) =>
        key.RatePerSecond == RatePerSecond && BurstOf(key, RatePerSecond) == Burst;

    /// <summary>The key's burst, or one second's worth of <paramref name="rate"/> when it gives none.</summary>
    private static int BurstOf(ApiKeyOptions key, double rate) => key.Burst ?? Math.Max(1, (int)Math.Ceiling(rate));

    /// <summary>
    /// Takes one token now if there is one; otherwise says how long until there will be. A limit
    /// replaced by a change of settings as the call came lets it through; the next call meets the new one.
    /// </summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        RateLimitLease lease;
        try
        {
            lease = _bucket.AttemptAcquire(1);
        }
        catch (ObjectDisposedException)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        using var held = lease;
        retryAfter = lease.IsAcquired || !lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? TimeSpan.Zero : wait;
        if (!lease.IsAcquired && retryAfter <= TimeSpan.Zero)
        {
            retryAfter = TimeSpan.FromSeconds(1 / RatePerSecond);
        }

        return lease.IsAcquired;
    }

    /// <summary>
    /// Waits until <paramref name="tokens"/> are taken, in turn with the key's other waiting
    /// streams; <paramref name="waiting"/> is called once if they are not there at once. False if
    /// this limit was replaced (the key's settings changed) before they were taken.
    /// </summary>
    public async ValueTask<bool> TakeAsync(int tokens, Action waiting, CancellationToken cancellationToken)
    {
        var waited = false;
        // A message may carry more touchpoints than the bucket holds: it takes them a burst at a time.
        while (tokens > 0)
        {
            var now = Math.Min(tokens, Burst);
            try
            {
                using var atOnce = _bucket.AttemptAcquire(now);
                if (!atOnce.IsAcquired)
                {
                    if (!waited)
                    {
                        waited = true;
                        waiting();
                    }

                    using var later = await _bucket.AcquireAsync(now, cancellationToken);
                    if (!later.IsAcquired)
                    {
                        return false;
                    }
                }
            }
            catch (ObjectDisposedException)
            {
                return false;
            }

            tokens -= now;
        }

        return true;
    }

    /// <summary>As refusals and settings put it: "20 a second, bursts of 40".</summary>
    public override string ToString() =>
        $"{RatePerSecond.ToString(CultureInfo.InvariantCulture)} a second, bursts of {Burst}";

    public void Dispose() => _bucket.Dispose();
}
