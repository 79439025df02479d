using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Customer360.Api.V1;
using Grpc.Core;
using Npgsql;
using static Customer360.EndToEnd.Tests.CrashWorkload;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// PostgreSQL ends every session of a running server mid-stream, and every session it opens for
/// the next two seconds, three times, as a database restart or a fail-over to a standby does.
/// The server (a child process) is not restarted: the touchpoints whose write failed, and the
/// calls to customers that could not be read, are answered UNAVAILABLE on their own acks,
/// the streams go on, and the tills resend what they hold no ACCEPTED for. Afterwards every
/// acknowledged touchpoint is in the log exactly once, nothing is there that was not sent,
/// every customer and segment agrees with the log, and the server's log holds a trace of the
/// outage rather than a line for every failed touchpoint.
/// </summary>
public sealed partial class DatabaseOutageTests
{
    private const int TouchpointCount = 12_000;
    private const int CustomerCount = 600;
    private const int Streams = 4;
    // Counted in ACCEPTED acks, each of which needs a session: an outage never starts before
    // the server has connected again after the one before.
    private static readonly int[] CutAfterAccepted = [2_000, 4_500, 7_000];
    private static readonly TimeSpan OutageLength = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task OutagesMidStreamLoseNothingAndCountNothingTwice()
    {
        var serviceId = "outage-" + Guid.NewGuid().ToString("N");
        var settings = await TestStores.SettingsAsync(TestStores.Postgres, serviceId);
        var connectionString = settings["Customer360:Storage:ConnectionString"]!;

        // The server's sessions are told apart from every other test's by their application name.
        var application = serviceId[..24];
        settings["Customer360:Storage:ConnectionString"] = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = application }.ConnectionString;
        var prefix = $"out-{Guid.NewGuid():N}"[..12];
        var sent = Enumerable.Range(0, TouchpointCount).Select(i => Touchpoint(prefix, i, CustomerCount)).ToArray();
        var sentIds = sent.Select(t => t.EventId).ToHashSet(StringComparer.Ordinal);

        var started = Stopwatch.GetTimestamp();
        await using var server = await ServerProcess.StartAsync(settings);

        // 1. Stream everything once, with three outages on the way.
        var answers = new ConcurrentDictionary<string, TouchpointAck>(StringComparer.Ordinal);
        var cuts = new List<Task<long>>();
        var acceptedSoFar = 0;
        await Task.WhenAll(Enumerable.Range(0, Streams).Select(s => StreamAsync(server, sent.Where(t => CustomerIndex(t) % Streams == s).ToArray(), answers, ack =>
        {
            if (ack.Status == AckStatus.Accepted && CutAfterAccepted.Contains(Interlocked.Increment(ref acceptedSoFar)))
            {
                lock (cuts)
                {
                    cuts.Add(Task.Run(() => OutageAsync(connectionString, application)));
                }
            }
        })));
        var cutSessions = await Task.WhenAll(cuts);

        Assert.Equal(CutAfterAccepted.Length, cutSessions.Length);
        Assert.All(cutSessions, n => Assert.True(n > 0, "an outage found no session of the server to end"));
        Assert.True(answers.Count == TouchpointCount, $"{answers.Count} of {TouchpointCount} touchpoints were answered: a stream ended early\nThe server said:\n{server.RecentOutput}");
        var refused = answers.Values.Where(a => a.Status == AckStatus.Rejected).ToArray();
        Assert.All(refused, a => Assert.True(a.Code == (int)StatusCode.Unavailable, $"{a}\nThe server said:\n{server.RecentOutput}"));
        Assert.True(refused.Length > 0, $"no touchpoint was refused during the outages\nThe server said:\n{server.RecentOutput}");
        Assert.All(answers.Values.Where(a => a.Status != AckStatus.Rejected), a => Assert.Equal(AckStatus.Accepted, a.Status));
        var accepted = answers.Values.Where(a => a.Status == AckStatus.Accepted).Select(a => a.EventId).ToHashSet(StringComparer.Ordinal);

        // What the log holds now: everything acknowledged, some of what was refused (a write
        // whose answer was cut may still have committed), nothing twice, nothing never sent.
        var logged = await LoggedEventIdsAsync(TestStores.Postgres, settings, "", serviceId);
        Assert.Equal(logged.Count, logged.ToHashSet(StringComparer.Ordinal).Count);
        Assert.Empty(accepted.Except(logged));
        Assert.Empty(logged.Except(sentIds));

        // 2. The tills resend everything refused, and every tenth touchpoint they had accepted,
        // and again what is refused once more (a session the database ended while idle fails the
        // first statement sent on it after the outage), as tills retry UNAVAILABLE.
        var resend = sent.Where((t, i) => !accepted.Contains(t.EventId) || i % 10 == 0).ToArray();
        var second = new ConcurrentDictionary<string, TouchpointAck>(StringComparer.Ordinal);
        var pending = resend;
        for (var round = 0; round < 5 && pending.Length > 0; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, Streams)
                .Select(s => StreamAsync(server, pending.Where(t => CustomerIndex(t) % Streams == s).ToArray(), second, _ => { })));
            pending = pending.Where(t => !second.TryGetValue(t.EventId, out var ack) || ack.Status == AckStatus.Rejected).ToArray();
        }

        Assert.True(second.Count == resend.Length, $"{second.Count} of {resend.Length} resent touchpoints were answered: a stream ended early\nThe server said:\n{server.RecentOutput}");
        Assert.All(second.Values, a => Assert.True(a.Status is AckStatus.Accepted or AckStatus.Duplicate, $"{a}\nThe server said:\n{server.RecentOutput}"));
        Assert.All(resend.Where(t => accepted.Contains(t.EventId)), t => Assert.Equal(AckStatus.Duplicate, second[t.EventId].Status));

        // 3. Each touchpoint once in the log; customers and segments agree with it.
        var finalLog = await LoggedEventIdsAsync(TestStores.Postgres, settings, "", serviceId);
        Assert.Equal(TouchpointCount, finalLog.Count);
        Assert.True(finalLog.ToHashSet(StringComparer.Ordinal).SetEquals(sentIds));
        var views = await ViewsAsync(server, prefix, CustomerCount);
        AssertCustomersMatch(sent, views);
        await Converged.SegmentsAsync(server.Segments, views.Values);

        // 4. The outages left a trace in the server's log, not a flood: no failed activation per
        // customer called, and one line every ten seconds for the failed touchpoints and for the
        // failed commits, each counting those left out since the one before (or, once they stop,
        // a line of its own with that count).
        // (The few segment and value-model grains keep their state through Orleans' own storage,
        // whose failed reads the runtime logs as it always does.)
        var output = server.Output;
        var failedActivations = output.Where(line => FailedCustomerActivation().IsMatch(line)).ToList();
        Assert.True(failedActivations.Count == 0, $"{failedActivations.Count} failed customer activations were logged, the first:\n{failedActivations.FirstOrDefault()}");
        var periods = 1 + (int)(Stopwatch.GetElapsedTime(started).TotalSeconds / 10);
        Assert.InRange(output.Count(line => line.Contains("from a stream could not be applied", StringComparison.Ordinal)
                                            || line.Contains("from streams could not be applied", StringComparison.Ordinal)), 1, periods);
        Assert.InRange(output.Count(line => line.Contains("A customer log commit of", StringComparison.Ordinal)
                                            || line.Contains("more customer log commits failed", StringComparison.Ordinal)), 1, periods);
    }

    // Orleans' lines for a customer activation that failed, or for a call to one that it had to
    // forward (a message names its sender too, so only the activation or the target counts).
    [GeneratedRegex(@"(Error activating grain|Error thrown from OnActivateAsync for activation '?)\s*\[Activation: [^/\]]*/customer/|Failed to forward message .*->\[[^\]]* customer/")]
    private static partial Regex FailedCustomerActivation();

    /// <summary>
    /// An outage of <see cref="OutageLength"/>: every session of <paramref name="application"/>
    /// is ended, and so is every one it opens until the outage is over, as while a database
    /// restarts. Returns how many sessions were ended. Acks can trail their commits, so the
    /// server may not have connected again since the outage before; then this waits until it has.
    /// </summary>
    private static async Task<long> OutageAsync(string connectionString, string application)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cut = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @application",
            connection);
        cut.Parameters.AddWithValue("application", application);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long ended;
        while ((ended = (long)(await cut.ExecuteScalarAsync())!) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var over = Stopwatch.GetTimestamp() + (long)(OutageLength.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < over)
        {
            await Task.Delay(10);
            ended += (long)(await cut.ExecuteScalarAsync())!;
        }

        return ended;
    }
}
