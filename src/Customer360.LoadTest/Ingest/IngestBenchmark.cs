using System.Diagnostics;
using Customer360.Api.V1;
using Customer360.LoadTest.Baselines;
using Customer360.LoadTest.Engine;
using Customer360.LoadTest.Reporting;
using Customer360.LoadTest.Workload;
using Grpc.Net.Client;
using Npgsql;

namespace Customer360.LoadTest.Ingest;

/// <summary>
/// One benchmark run: generates the workload, writes it with the two PostgreSQL baselines, then
/// streams it into the engine, all in the same process and minutes, so that the three rates are
/// measured under the same conditions and their ratios mean something on a noisy machine.
/// </summary>
internal sealed class IngestBenchmark(IngestSettings settings, Action<string> progress)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private MixedWorkloadResult? _mixed;
    private CpuUse? _engineCpu;
    private ReadResult? _naiveReads;
    private long _naiveReadMismatches;

    public async Task<IngestReport> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var machine = MachineInfo.Current();

        var channels = settings.Servers.Select(server => ServerChannel.Open(server, settings.ApiKey, settings.CaCertificate)).ToArray();
        try
        {
            return await RunOnAsync(channels, startedAt, machine, cancellationToken);
        }
        finally
        {
            foreach (var open in channels)
            {
                open.Dispose();
            }
        }
    }

    private async Task<IngestReport> RunOnAsync(GrpcChannel[] channels, DateTimeOffset startedAt, MachineInfo machine, CancellationToken cancellationToken)
    {
        for (var i = 0; i < channels.Length; i++)
        {
            await RequireServerAsync(channels[i], settings.Servers[i], cancellationToken);
        }

        var endpoints = channels.Select(c => new CustomerService.CustomerServiceClient(c)).ToArray();

        var generating = Stopwatch.StartNew();
        var generator = new WorkloadGenerator(settings.Seed, settings.Mix);
        var workload = generator.Generate(settings.RunId, settings.Touchpoints, settings.Customers, startedAt);
        progress($"generated {workload.Touchpoints.Count:N0} touchpoints over {workload.CustomerCount:N0} customers " +
                 $"(average payload {workload.AveragePayloadBytes:N0} bytes; the busiest 1% of customers have {workload.ShareOfBusiest(0.01):P0} of them) " +
                 $"in {generating.Elapsed.TotalSeconds:N1} s");

        BaselineResult? copy = null;
        BaselineResult? naive = null;
        if (settings.Postgres is { } connectionString)
        {
            (copy, naive) = await RunBaselinesAsync(connectionString, workload, cancellationToken);
        }

        var (engine, warmed) = await RunEngineAsync(endpoints, workload, cancellationToken);
        var echo = settings.EchoCeiling ? await MeasureEchoCeilingAsync(workload, cancellationToken) : null;
        VerificationResult? verification = null;
        if (settings.Verify)
        {
            var runs = warmed is null ? [(workload, engine)] : new[] { warmed.Value, (workload, engine) };
            verification = await VerifyAsync(endpoints, runs, cancellationToken);
        }

        return new IngestReport
        {
            RunId = settings.RunId,
            StartedAt = startedAt,
            Server = string.Join(", ", settings.Servers),
            StoreLabel = settings.StoreLabel,
            Machine = machine,
            Touchpoints = workload.Touchpoints.Count,
            Customers = workload.CustomerCount,
            Seed = settings.Seed,
            AveragePayloadBytes = workload.AveragePayloadBytes,
            Warmup = settings.Warmup,
            ReturningCustomers = settings.ReturningCustomers,
            Engine = engine,
            Copy = copy,
            Naive = naive,
            Verification = verification,
            Mixed = _mixed is null ? null : _mixed with { NaiveReads = _naiveReads, NaiveReadMismatches = _naiveReadMismatches },
            EchoCeiling = echo,
            EngineCpu = _engineCpu,
        };
    }

    /// <summary>Fails early, before minutes of baselines, when nothing answers at the server's address.</summary>
    private async Task RequireServerAsync(GrpcChannel channel, Uri server, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await channel.ConnectAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BenchmarkSetupException($"no Customer360 server answered at {server} within {ConnectTimeout.TotalSeconds:N0} s; start one or give --server");
        }
    }

    private async Task<(BaselineResult Copy, BaselineResult Naive)> RunBaselinesAsync(
        string connectionString, IngestWorkload workload, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Room for every naive connection, the one that counts rows afterwards and the one that
        // holds the claim on the scratch tables.
        builder.ConnectionStringBuilder.MaxPoolSize = Math.Max(builder.ConnectionStringBuilder.MaxPoolSize, settings.NaiveConnections + NaiveReads.DefaultConnections + 3);
        await using var source = builder.Build();

        await ScratchTables.RequireEngineSchemaAsync(source, cancellationToken);
        await using var claim = await ScratchTables.ClaimAsync(source, cancellationToken);
        try
        {
            progress($"(a) binary COPY of {workload.Touchpoints.Count:N0} rows in chunks of {settings.CopyChunkRows:N0}");
            var copy = await new CopyBaseline(source, settings.CopyChunkRows).RunAsync(workload.Touchpoints, cancellationToken);
            progress($"(a) {copy.RowsPerSecond:N0} rows/s");

            var naiveRows = workload.Touchpoints.Take(Math.Min(settings.NaiveTouchpoints, workload.Touchpoints.Count)).ToList();
            progress($"(b) naive: {naiveRows.Count:N0} touchpoints, one transaction each, {settings.NaiveConnections} connections");
            await using var reads = settings.ReadsPerSecond is { } readRate ? new NaiveReads(source, readRate, settings.Seed) : null;
            var naive = await new NaiveBaseline(source, settings.NaiveConnections).RunAsync(naiveRows, cancellationToken, reads);
            progress($"(b) {naive.RowsPerSecond:N0} rows/s");
            if (reads is not null)
            {
                (_naiveReads, _naiveReadMismatches) = (reads.Result(), reads.Mismatches);
                progress($"(b) reads: {_naiveReads.Latency.Count:N0} at {settings.ReadsPerSecond:N0}/s, p99 {_naiveReads.Latency.P99 / 1000.0:N2} ms");
            }

            return (copy, naive);
        }
        finally
        {
            if (!settings.KeepTables && !cancellationToken.IsCancellationRequested)
            {
                await ScratchTables.DropAsync(source, [ScratchTables.CopyLog, ScratchTables.NaiveLog, ScratchTables.NaiveCustomer], CancellationToken.None);
            }
        }
    }

    /// <summary>Reads every customer the runs touched back from the engine and compares it with what was acknowledged.</summary>
    private async Task<VerificationResult> VerifyAsync(
        IReadOnlyList<CustomerService.CustomerServiceClient> endpoints, IReadOnlyList<(IngestWorkload Workload, EngineResult Result)> runs, CancellationToken cancellationToken)
    {
        // With several addresses, each customer is read through the next one in turn: any
        // endpoint of the cluster must show every acknowledged touchpoint.
        var next = -1;
        progress("verifying every customer against what was acknowledged");
        var applied = runs.SelectMany(r => r.Result.Applied).ToHashSet(StringComparer.Ordinal);
        var answered = runs.SelectMany(r => r.Result.Answered).ToHashSet(StringComparer.Ordinal);
        var result = await IngestVerification.CheckAsync(
            runs.SelectMany(r => r.Workload.Touchpoints), applied, answered, async (id, ct) =>
            {
                try
                {
                    var client = endpoints[(int)((uint)Interlocked.Increment(ref next) % (uint)endpoints.Count)];
                    var view = await client.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }, cancellationToken: ct);
                    return new CustomerFigures(view.Aggregates.TouchpointCount, decimal.Parse(view.Aggregates.NetSpend.Amount, System.Globalization.CultureInfo.InvariantCulture));
                }
                catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
                {
                    return null;
                }
            },
            concurrency: 32,
            cancellationToken);
        progress(result.Passed
            ? $"verified: every one of {result.CustomersChecked:N0} customers holds exactly what was acknowledged"
            : $"VERIFICATION FAILED: {result.Mismatches:N0} of {result.CustomersChecked:N0} customers differ ({result.Dropped:N0} lost touchpoints, {result.Doubled:N0} doubled)");
        return result;
    }

    /// <summary>The measured engine phase, with readers, watchers and a dashboard around it when asked for.</summary>
    private async Task<EngineResult> RunMeasuredAsync(
        IReadOnlyList<CustomerService.CustomerServiceClient> endpoints, IngestWorkload workload, IngestWorkload? warmup, CancellationToken cancellationToken)
    {
        await using var mixed = new MixedWorkload(
            settings.Servers, settings.ApiKey, settings.CaCertificate, workload, settings.ReadsPerSecond, settings.ReadRecentTouchpoints, settings.Watchers, settings.Dashboard, settings.Seed,
            MixedWorkload.NetSpendOf(settings.ReturningCustomers ? warmup : null));
        var engine = new EngineIngest(endpoints, settings.Streams, settings.Window, settings.Batch, settings.Rate, mixed.Any ? mixed : null)
        {
            Refused = line => progress($"engine: {line}"),
        };
        if (mixed.Any)
        {
            progress($"engine: with reads at {settings.ReadsPerSecond ?? 0:N0}/s, {settings.Watchers:N0} customer watch(es){(settings.Dashboard ? " and the segment dashboard" : string.Empty)}");
            try
            {
                await mixed.StartAsync(cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new BenchmarkSetupException($"the customer watches or the segment dashboard did not deliver their first view within {MixedWorkload.OpenTimeout.TotalSeconds:N0} s");
            }
        }

        // Taken as close to the phase's first send and last ack as possible, so that the warm-up,
        // the verification and the readers' set-up stay out of it.
        var cpuAtStart = settings.MeasureCpu ? CpuSnapshot.Take() : null;
        var result = await engine.RunAsync(workload, line => progress($"engine: {line}"), cancellationToken);
        if (cpuAtStart is not null)
        {
            _engineCpu = CpuUse.Between(cpuAtStart, CpuSnapshot.Take(), result.Accepted + result.Duplicate, Environment.ProcessId);
        }

        if (mixed.Any)
        {
            _mixed = await mixed.StopAsync(cancellationToken);
        }

        return result;
    }

    /// <summary>The gRPC echo ceiling with the engine phase's streams, window, batching and touchpoints.</summary>
    private async Task<Ceiling.EchoCeilingResult> MeasureEchoCeilingAsync(IngestWorkload workload, CancellationToken cancellationToken)
    {
        progress($"echo ceiling: {workload.Touchpoints.Count:N0} touchpoints echoed on {settings.Streams} streams, up to {settings.Window} in flight each{Batching(settings.Batch)}");
        var echo = await Ceiling.EchoCeiling.MeasureAsync(
            workload, settings.Streams, settings.Window, settings.Batch, offeredRate: null, warmup: Math.Min(settings.Warmup, workload.Touchpoints.Count), cancellationToken);
        progress(echo.Clean ? $"echo ceiling: {echo.EchoedPerSecond:N0} touchpoints/s echoed" : $"ECHO CEILING FAILED: {string.Join("; ", echo.Problems)}");
        return echo;
    }

    private static string Batching(int batch) => batch <= 1 ? string.Empty : $", up to {batch} touchpoints per message";

    private async Task<(EngineResult Measured, (IngestWorkload Workload, EngineResult Result)? Warmup)> RunEngineAsync(
        IReadOnlyList<CustomerService.CustomerServiceClient> endpoints, IngestWorkload workload, CancellationToken cancellationToken)
    {
        EngineResult? warmed = null;
        IngestWorkload? warmupWorkload = null;

        if (settings.Warmup > 0)
        {
            // By default on customers of their own, so the measured phase starts on new customers
            // like the baselines; with ReturningCustomers on the measured customers themselves,
            // so the measured phase finds every customer already active, as a busy shop would.
            var warmup = settings.ReturningCustomers
                ? new WorkloadGenerator(settings.Seed + 1, settings.Mix).Generate(
                    $"{settings.RunId}-warmup", settings.Warmup, settings.Customers, DateTimeOffset.UtcNow, customerPrefix: settings.RunId)
                : new WorkloadGenerator(settings.Seed + 1, settings.Mix).Generate(
                    $"{settings.RunId}-warmup", settings.Warmup, Math.Max(1, settings.Warmup / 10), DateTimeOffset.UtcNow);
            var whose = settings.ReturningCustomers ? "the measured customers" : "customers of their own";
            progress($"engine: warming up with {settings.Warmup:N0} touchpoints to {whose}");
            warmed = await new EngineIngest(endpoints, settings.Streams, settings.Window, settings.Batch, offeredRate: null) { Refused = line => progress($"engine: warm-up {line}") }
                .RunAsync(warmup, null, cancellationToken);
            warmupWorkload = warmup;
            if (!warmed.Clean)
            {
                throw new BenchmarkSetupException($"the warm-up was not acknowledged cleanly: {string.Join("; ", warmed.Problems.DefaultIfEmpty($"{warmed.Rejected} rejected"))}");
            }
        }

        var offered = settings.Rate is { } rate ? $", offered {rate:N0}/s" : string.Empty;
        progress($"engine: {workload.Touchpoints.Count:N0} touchpoints on {settings.Streams} streams, up to {settings.Window} in flight each{Batching(settings.Batch)}{offered}");
        var result = await RunMeasuredAsync(endpoints, workload, warmupWorkload, cancellationToken);
        progress($"engine: {result.AcknowledgedPerSecond:N0} touchpoints/s acknowledged");
        return (result, warmed is null ? null : (warmupWorkload!, warmed));
    }
}

/// <summary>The benchmark cannot start or go on (no server, a broken warm-up); the message says what to fix.</summary>
internal sealed class BenchmarkSetupException(string message) : Exception(message);
