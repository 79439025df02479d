extern alias server;
using System.Diagnostics;
using Customer360.Contracts.Customers;
using Customer360.Domain.Validation;
using Customer360.Grains.Configuration;
using Customer360.LoadTest.Engine;
using Customer360.LoadTest.Workload;
using Google.Protobuf;
using HdrHistogram;
using D = Customer360.Domain.Customers;
using ServerWire = server::Customer360.Api.V1;
using server::Customer360.Server.Grpc;

namespace Customer360.LoadTest.InProcess;

/// <summary>One phase of calls: how many, how long, and their latency.</summary>
/// <param name="Latency">From each call's send to its reply; from its due time when <see cref="OfferedRate"/> is set.</param>
internal sealed record CallPhase(long Calls, TimeSpan Elapsed, LatencySummary Latency)
{
    /// <summary>The achieved rate: calls completed per second.</summary>
    public double PerSecond => Elapsed > TimeSpan.Zero ? Calls / Elapsed.TotalSeconds : 0;

    /// <summary>Calls per second offered in open loop; null for a closed-loop phase.</summary>
    public double? OfferedRate { get; init; }

    /// <summary>In open loop, from each call's send to its reply (without the wait for a free caller); null in closed loop.</summary>
    public LatencySummary? SendLatency { get; init; }
}

/// <summary>What an in-process run measured.</summary>
internal sealed record InProcessReport(
    InProcessSettings Settings,
    int Customers,
    CallPhase Engine,
    int Accepted,
    int Duplicate,
    int Rejected,
    IReadOnlyList<string> Problems,
    CallPhase Ceiling,
    VerificationResult? Verification,
    MemoryFigures? Memory = null)
{
    /// <summary>When the run started, and on what machine: absolute rates compare only on the same kind.</summary>
    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    public Reporting.MachineInfo Machine { get; init; } = Reporting.MachineInfo.Current();

    /// <summary>Touchpoints applied per second over trivial grain calls per second, on the same cluster.</summary>
    public double EngineToCeiling => Ceiling.PerSecond > 0 ? Engine.PerSecond / Ceiling.PerSecond : 0;

    /// <summary>Trivial grain calls made from inside the silos, without the client's gateway; null when not measured.</summary>
    public CallPhase? SiloCeiling { get; init; }

    /// <summary>Touchpoints applied per second over in-silo trivial grain calls per second.</summary>
    public double? EngineToSiloCeiling => SiloCeiling is { PerSecond: > 0 } silo ? Engine.PerSecond / silo.PerSecond : null;

    public bool Clean => Rejected == 0 && Problems.Count == 0 && Verification is null or { Passed: true };
}

/// <summary>
/// Drives the real customer grains of an in-process cluster through its cluster client: each
/// generated touchpoint, validated as the API validates it, goes to its customer grain with
/// <see cref="InProcessSettings.Concurrency"/> calls in flight. Then the same number of calls to a
/// trivial grain give the ceiling, and every customer is read back to verify that nothing
/// acknowledged was lost or doubled.
/// </summary>
internal static class InProcessLoad
{
    private const int ProblemSamples = 10;

    public static async Task<InProcessReport> RunAsync(InProcessSettings settings, Action<string> progress, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var workload = new WorkloadGenerator(settings.Seed, settings.Mix).Generate(settings.RunId, settings.Touchpoints, settings.Customers, now);
        var warmup = settings.Warmup > 0
            ? new WorkloadGenerator(settings.Seed + 1, settings.Mix).Generate($"{settings.RunId}-warmup", settings.Warmup, settings.Customers, now, customerPrefix: settings.RunId)
            : null;

        progress($"starting {settings.Silos} silo(s) on the {settings.Store} store");
        var cluster = await InProcessCluster.StartAsync(settings);
        try
        {
            var client = cluster.Client;
            var outcomes = new Outcomes();
            var customers = Math.Max(1, workload.CustomerCount);
            if (warmup is not null)
            {
                // The measured customers, and as many trivial grains, are active before timing:
                // a busy shop's customers are in memory, and so is a warm ceiling's grain.
                progress($"warming up: {warmup.Touchpoints.Count:N0} touchpoints to the measured customers, and {customers:N0} trivial grains");
                await ApplyAsync(client, Validated(warmup), settings.Concurrency, outcomes, cancellationToken);
                await RunPhaseAsync(customers, settings.Concurrency, i => client.GetGrain<IEchoGrain>(i).EchoAsync(i), cancellationToken);
                await RunPhaseAsync(customers, settings.Concurrency, i => client.GetGrain<IEchoGrain>(SiloCeiling.KeyOffset + i).EchoAsync(i), cancellationToken);
            }

            var measured = new Outcomes();
            var offered = settings.Rate is { } rate ? $", offered {rate:N0}/s (open loop)" : string.Empty;
            progress($"engine: {workload.Touchpoints.Count:N0} touchpoints over {workload.CustomerCount:N0} customers, {settings.Concurrency} calls in flight at most{offered}");
            var pacer = settings.Rate is { } perSecond ? new OfferedRatePacer(perSecond) : null;
            var clock = new PhaseClock();
            using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reporting = clock.ReportProgressAsync(workload.Touchpoints.Count, "applied", line => progress($"engine: {line}"), stopProgress.Token);
            CallPhase engine;
            try
            {
                engine = await ApplyAsync(client, Validated(workload), settings.Concurrency, measured, cancellationToken, pacer, clock);
            }
            finally
            {
                await stopProgress.CancelAsync();
                await reporting;
            }

            progress($"engine: {engine.PerSecond:N0} touchpoints/s applied");

            progress($"ceiling: {workload.Touchpoints.Count:N0} calls to a trivial grain, {settings.Concurrency} in flight");
            var ceiling = await RunPhaseAsync(workload.Touchpoints.Count, settings.Concurrency, i => client.GetGrain<IEchoGrain>(i % customers).EchoAsync(i), cancellationToken);
            progress($"ceiling: {ceiling.PerSecond:N0} calls/s");

            progress($"silo ceiling: {workload.Touchpoints.Count:N0} calls to a trivial grain from a driver in each silo, {settings.Concurrency} in flight in all");
            var siloCeiling = await SiloCeiling.RunAsync(client, settings.Silos, workload.Touchpoints.Count, customers, settings.Concurrency);
            progress($"silo ceiling: {siloCeiling.PerSecond:N0} calls/s");

            VerificationResult? verification = null;
            if (settings.Verify)
            {
                var sent = warmup is null ? workload.Touchpoints : warmup.Touchpoints.Concat(workload.Touchpoints);
                outcomes.Add(measured);
                verification = await VerifyAsync(client, sent, outcomes.Applied, outcomes.Answered, cancellationToken);
                progress(verification.Passed
                    ? $"verified: every one of {verification.CustomersChecked:N0} customers holds exactly what was acknowledged"
                    : $"VERIFICATION FAILED: {verification.Mismatches:N0} customers differ");
            }

            var memory = settings.Memory
                ? await MemoryProbe.RunAsync(cluster, settings, [.. (warmup?.Touchpoints ?? []).Concat(workload.Touchpoints).Select(t => t.CustomerId).Distinct(StringComparer.Ordinal)], progress, cancellationToken)
                : null;
            return new InProcessReport(settings, workload.CustomerCount, engine, measured.Accepted, measured.Duplicate, measured.Rejected, measured.Problems, ceiling, verification, memory)
            {
                StartedAt = now,
                SiloCeiling = siloCeiling,
            };
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
            Grains.Storage.MemoryCustomerStore.Forget(cluster.Options.ServiceId);
            if (settings.Store == "sqlite" && !settings.KeepData && Directory.Exists(settings.DataPath))
            {
                Directory.Delete(settings.DataPath, recursive: true);
            }
        }
    }

    /// <summary>The generated touchpoints as the API would hand them to the grains: mapped and validated.</summary>
    internal static D.Touchpoint[] Validated(IngestWorkload workload)
    {
        var options = new Customer360Options();
        var validator = new TouchpointValidator(options.Limits, options.ToCurrencyTable());
        var now = DateTimeOffset.UtcNow;
        return
        [
            .. workload.Touchpoints.Select(t =>
                validator.Validate(ProtoMapper.ToDomain(ServerWire.Touchpoint.Parser.ParseFrom(t.Message.ToByteArray()), "touchpoint"), now).Accepted
                ?? throw new InvalidOperationException($"the generator made an invalid touchpoint: {t.EventId}")),
        ];
    }

    /// <summary>Sends each touchpoint to its customer grain, <paramref name="concurrency"/> at a time, noting every outcome.</summary>
    /// <param name="pacer">Open loop: calls are due at its rate and timed from their due times (see <see cref="CallPhases"/>); null for closed loop.</param>
    internal static async Task<CallPhase> ApplyAsync(IClusterClient client, D.Touchpoint[] touchpoints, int concurrency, Outcomes outcomes, CancellationToken cancellationToken, OfferedRatePacer? pacer = null, PhaseClock? clock = null) =>
        (await CallPhases.RunAsync(touchpoints.Length, concurrency, async i =>
        {
            var touchpoint = touchpoints[i];
            try
            {
                var result = await client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(touchpoint.CustomerId)).RecordTouchpointAsync(touchpoint);
                outcomes.Record(touchpoint.EventId, result);
                if (result.Status is not (TouchpointStatus.Accepted or TouchpointStatus.Duplicate))
                {
                    clock?.MarkRejected();
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // No known outcome: left out of "answered", so verification allows either.
                outcomes.Fail(touchpoint.EventId, e);
                clock?.MarkRejected();
            }
        }, pacer, cancellationToken, clock)).Phase;

    /// <summary>What the grains answered, by event id; safe to use from many calls at once.</summary>
    internal sealed class Outcomes
    {
        private readonly Lock _lock = new();

        public HashSet<string> Applied { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Answered { get; } = new(StringComparer.Ordinal);

        public int Accepted { get; private set; }

        public int Duplicate { get; private set; }

        public int Rejected { get; private set; }

        public List<string> Problems { get; } = [];

        public void Record(string eventId, TouchpointResult result)
        {
            lock (_lock)
            {
                Answered.Add(eventId);
                switch (result.Status)
                {
                    case TouchpointStatus.Accepted:
                        Accepted++;
                        Applied.Add(eventId);
                        break;
                    case TouchpointStatus.Duplicate:
                        Duplicate++;
                        Applied.Add(eventId);
                        break;
                    default:
                        Rejected++;
                        Sample($"{eventId}: {result.Status} {result.Reason}");
                        break;
                }
            }
        }

        public void Fail(string eventId, Exception e)
        {
            lock (_lock)
            {
                Rejected++;
                Sample($"{eventId}: {e.GetType().Name}: {e.Message}");
            }
        }

        public void Add(Outcomes other)
        {
            Applied.UnionWith(other.Applied);
            Answered.UnionWith(other.Answered);
        }

        private void Sample(string problem)
        {
            if (Problems.Count < ProblemSamples)
            {
                Problems.Add(problem);
            }
        }
    }

    private static Task<VerificationResult> VerifyAsync(
        IClusterClient client, IEnumerable<WorkloadTouchpoint> sent, IReadOnlySet<string> applied, IReadOnlySet<string> answered, CancellationToken cancellationToken) =>
        IngestVerification.CheckAsync(sent, applied, answered, async (id, _) =>
            await client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(id)).GetViewAsync() is { } view
                ? new CustomerFigures(view.Aggregates.TouchpointCount, view.Aggregates.NetSpend)
                : null,
            concurrency: 64,
            cancellationToken);

    /// <summary>Runs <paramref name="call"/> for 0..count−1 with <paramref name="concurrency"/> in flight, timing each (closed loop).</summary>
    private static async Task<CallPhase> RunPhaseAsync(int count, int concurrency, Func<int, Task> call, CancellationToken cancellationToken) =>
        (await CallPhases.RunAsync(count, concurrency, call, pacer: null, cancellationToken)).Phase;
}
