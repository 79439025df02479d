extern alias server;
using System.Diagnostics;
using Customer360.Contracts.Customers;
using Customer360.Domain.Validation;
using Customer360.Grains.Configuration;
using Customer360.LoadTest.Engine;
using Customer360.LoadTest.Workload;
using Google.Protobuf;
using HdrHistogram;
using ServerWire = server::Customer360.Api.V1;
using server::Customer360.Server.Grpc;

namespace Customer360.LoadTest.InProcess;

/// <summary>One phase of calls: how many, how long, and their latency.</summary>
internal sealed record CallPhase(long Calls, TimeSpan Elapsed, LatencySummary Latency)
{
    public double PerSecond => Elapsed > TimeSpan.Zero ? Calls / Elapsed.TotalSeconds : 0;
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
    VerificationResult? Verification)
{
    /// <summary>Touchpoints applied per second over trivial grain calls per second, on the same cluster.</summary>
    public double EngineToCeiling => Ceiling.PerSecond > 0 ? Engine.PerSecond / Ceiling.PerSecond : 0;

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
        var workload = new WorkloadGenerator(settings.Seed).Generate(settings.RunId, settings.Touchpoints, settings.Customers, DateTimeOffset.UtcNow);
        var options = new Customer360Options();
        var validator = new TouchpointValidator(options.Limits, options.ToCurrencyTable());
        var now = DateTimeOffset.UtcNow;
        var touchpoints = workload.Touchpoints
            .Select(t => validator.Validate(ProtoMapper.ToDomain(ServerWire.Touchpoint.Parser.ParseFrom(t.Message.ToByteArray()), "touchpoint"), now).Accepted
                ?? throw new InvalidOperationException($"the generator made an invalid touchpoint: {t.EventId}"))
            .ToArray();

        progress($"starting {settings.Silos} silo(s) on the {settings.Store} store");
        var cluster = await InProcessCluster.StartAsync(settings);
        try
        {
            var client = cluster.Client;
            progress($"engine: {touchpoints.Length:N0} touchpoints over {workload.CustomerCount:N0} customers, {settings.Concurrency} calls in flight");
            var applied = new HashSet<string>(StringComparer.Ordinal);
            var answered = new HashSet<string>(StringComparer.Ordinal);
            int accepted = 0, duplicate = 0, rejected = 0;
            var problems = new List<string>();
            var engine = await RunPhaseAsync(touchpoints.Length, settings.Concurrency, async i =>
            {
                var touchpoint = touchpoints[i];
                try
                {
                    var result = await client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(touchpoint.CustomerId)).RecordTouchpointAsync(touchpoint);
                    lock (applied)
                    {
                        answered.Add(touchpoint.EventId);
                        switch (result.Status)
                        {
                            case TouchpointStatus.Accepted:
                                accepted++;
                                applied.Add(touchpoint.EventId);
                                break;
                            case TouchpointStatus.Duplicate:
                                duplicate++;
                                applied.Add(touchpoint.EventId);
                                break;
                            default:
                                rejected++;
                                Sample(problems, $"{touchpoint.EventId}: {result.Status} {result.Reason}");
                                break;
                        }
                    }
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // No known outcome: left out of "answered", so verification allows either.
                    lock (applied)
                    {
                        rejected++;
                        Sample(problems, $"{touchpoint.EventId}: {e.GetType().Name}: {e.Message}");
                    }
                }
            }, cancellationToken);
            progress($"engine: {engine.PerSecond:N0} touchpoints/s applied");

            progress($"ceiling: {touchpoints.Length:N0} calls to a trivial grain, {settings.Concurrency} in flight");
            var ceiling = await RunPhaseAsync(touchpoints.Length, settings.Concurrency, async i =>
            {
                await client.GetGrain<IEchoGrain>(i % Math.Max(1, workload.CustomerCount)).EchoAsync(i);
            }, cancellationToken);
            progress($"ceiling: {ceiling.PerSecond:N0} calls/s");

            VerificationResult? verification = null;
            if (settings.Verify)
            {
                verification = await VerifyAsync(client, workload, applied, answered, cancellationToken);
                progress(verification.Passed
                    ? $"verified: every one of {verification.CustomersChecked:N0} customers holds exactly what was acknowledged"
                    : $"VERIFICATION FAILED: {verification.Mismatches:N0} customers differ");
            }

            return new InProcessReport(settings, workload.CustomerCount, engine, accepted, duplicate, rejected, problems, ceiling, verification);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
            if (settings.Store == "sqlite" && !settings.KeepData && Directory.Exists(settings.DataPath))
            {
                Directory.Delete(settings.DataPath, recursive: true);
            }
        }
    }

    private static async Task<VerificationResult> VerifyAsync(
        IClusterClient client, IngestWorkload workload, IReadOnlySet<string> applied, IReadOnlySet<string> answered, CancellationToken cancellationToken)
    {
        var ids = workload.Touchpoints.Select(t => t.CustomerId).Distinct(StringComparer.Ordinal).ToArray();
        var figures = new System.Collections.Concurrent.ConcurrentDictionary<string, CustomerFigures>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken }, async (id, _) =>
        {
            if (await client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(id)).GetViewAsync() is { } view)
            {
                figures[id] = new CustomerFigures(view.Aggregates.TouchpointCount, view.Aggregates.NetSpend);
            }
        });
        return IngestVerification.Compare(workload.Touchpoints, applied, answered, figures);
    }

    /// <summary>Runs <paramref name="call"/> for 0..count−1 with <paramref name="concurrency"/> in flight, timing each.</summary>
    private static async Task<CallPhase> RunPhaseAsync(int count, int concurrency, Func<int, Task> call, CancellationToken cancellationToken)
    {
        var next = -1;
        var histograms = new LongHistogram[concurrency];
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(
            async () =>
            {
                var histogram = histograms[worker] = LatencySummary.CreateHistogram();
                int i;
                while ((i = Interlocked.Increment(ref next)) < count && !cancellationToken.IsCancellationRequested)
                {
                    var sent = Stopwatch.GetTimestamp();
                    await call(i);
                    LatencySummary.Record(histogram, sent, Stopwatch.GetTimestamp());
                }
            },
            cancellationToken)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var all = LatencySummary.CreateHistogram();
        foreach (var histogram in histograms)
        {
            all.Add(histogram);
        }

        return new CallPhase(count, elapsed, LatencySummary.From(all));
    }

    private static void Sample(List<string> problems, string problem)
    {
        if (problems.Count < ProblemSamples)
        {
            problems.Add(problem);
        }
    }
}
