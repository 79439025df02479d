using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Customer360.Api.V1;
using Customer360.Grains.Diagnostics;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// The engine's metrics on a real server: each answer a touchpoint gets is counted by outcome,
/// each commit of the log is recorded, the silo's active customers are observed; and with an
/// OTLP endpoint configured they leave the process over OTLP.
/// </summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task EachAnswerIsCountedByOutcomeAndEachCommitIsRecorded()
    {
        await using var server = await TestServer.StartAsync();
        using var metrics = new EngineMeasurements(server.Services.GetRequiredService<IMeterFactory>());
        var (first, second) = (NewCustomerId("metrics"), NewCustomerId("metrics"));
        var purchase = Purchase(first, 10m, eventId: "order-1");

        await server.Customers.RecordTouchpointAsync(Record(purchase));
        await server.Customers.RecordTouchpointAsync(Record(purchase));
        var conflict = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Customers.RecordTouchpointAsync(Record(Purchase(first, 11m, purchase.OccurredAt.ToDateTimeOffset(), eventId: "order-1"))));
        var invalid = await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.RecordTouchpointAsync(Record(Purchase("", 5m))));
        using (var stream = server.Customers.StreamTouchpoints())
        {
            await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(second, 7m) });
            await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(second, -7m) });
            await stream.RequestStream.CompleteAsync();
            var statuses = new List<AckStatus>();
            while (await stream.ResponseStream.MoveNext(CancellationToken.None))
            {
                statuses.Add(stream.ResponseStream.Current.Status);
            }

            Assert.Equal([AckStatus.Accepted, AckStatus.Rejected], statuses);
        }

        Assert.Equal((StatusCode.FailedPrecondition, StatusCode.InvalidArgument), (conflict.StatusCode, invalid.StatusCode));
        var answers = new Dictionary<string, long> { ["accepted"] = 2, ["duplicate"] = 1, ["conflict"] = 1, ["rejected"] = 2 };
        Assert.Equal(answers, metrics.ByTag("customer360.touchpoints", count: false));
        Assert.Equal(answers, metrics.ByTag("customer360.touchpoint.duration", count: true));
        Assert.All(metrics.Values("customer360.touchpoint.duration"), seconds => Assert.InRange(seconds, 0, 60));
        Assert.Equal(2, metrics.Sum("customer360.log.commit.entries"));
        Assert.Equal(metrics.Count("customer360.log.commit.entries"), metrics.Count("customer360.log.commit.duration"));
        Assert.All(metrics.Values("customer360.log.commit.duration"), seconds => Assert.InRange(seconds, 0, 60));
        Assert.Equal(2, metrics.Observe("customer360.customers.active"));
    }

    [Fact]
    public async Task TouchpointsOfAnErasedHistoryAreCountedAsErasedNotAsConflicts()
    {
        await using var server = await TestServer.StartAsync();
        var id = NewCustomerId("metrics-erased");
        var before = Purchase(id, 10m, DateTimeOffset.UtcNow.AddMinutes(-5), eventId: "order-1");
        await server.Customers.RecordTouchpointAsync(Record(before));
        await server.Customers.EraseCustomerAsync(new EraseCustomerRequest { CustomerId = id });
        using var metrics = new EngineMeasurements(server.Services.GetRequiredService<IMeterFactory>());

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.RecordTouchpointAsync(Record(before)));
        using (var stream = server.Customers.StreamTouchpoints())
        {
            await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 12m, DateTimeOffset.UtcNow.AddMinutes(-4), eventId: "order-2") });
            await stream.RequestStream.CompleteAsync();
            Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal((int)StatusCode.FailedPrecondition, stream.ResponseStream.Current.Code);
        }

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(new Dictionary<string, long> { ["erased"] = 2 }, metrics.ByTag("customer360.touchpoints", count: false));
    }

    [Fact]
    public async Task WithAnOtlpEndpointTheMetricsAreExported()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });

        await server.Customers.RecordTouchpointAsync(Record(Purchase(NewCustomerId("otlp"), 10m)));

        // Waits for an export that carries the engine's own instruments (not a timing
        // assertion: the export interval is 200 ms, and the deadline only stops a hang).
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string[] wanted = ["customer360.touchpoints", "customer360.log.commit.entries", "customer360.customers.active"];
        while (!wanted.All(collector.HasSeen))
        {
            await Task.Delay(100, deadline.Token);
        }

        Assert.All(collector.Paths, path => Assert.Equal("/v1/metrics", path));
        Assert.True(collector.HasSeen("service.name") && collector.HasSeen("customer360"));
    }

    /// <summary>The measurements of one server's Customer360 meter, from a listener of its meter factory only.</summary>
    internal sealed class EngineMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, string? Tag)> _seen = new();

        public EngineMeasurements(IMeterFactory meters)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Meter.Name == Customer360Metrics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.Start();
        }

        /// <summary>By the instrument's tag (outcome, code or call): the sum of the measurements, or with <paramref name="count"/> how many there were.</summary>
        public Dictionary<string, long> ByTag(string instrument, bool count) =>
            _seen.Where(m => m.Instrument == instrument)
                .GroupBy(m => m.Tag!)
                .ToDictionary(g => g.Key, g => count ? g.LongCount() : (long)g.Sum(m => m.Value));

        public double Sum(string instrument) => Values(instrument).Sum();

        public int Count(string instrument) => Values(instrument).Count();

        public IEnumerable<double> Values(string instrument) => _seen.Where(m => m.Instrument == instrument).Select(m => m.Value);

        /// <summary>The current value of an observable instrument.</summary>
        public double Observe(string instrument)
        {
            var before = Count(instrument);
            _listener.RecordObservableInstruments();
            return Values(instrument).Skip(before).Single();
        }

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? tagged = null;
            foreach (var tag in tags)
            {
                if (tag.Key is "outcome" or "code" or "call")
                {
                    tagged = tag.Value as string;
                }
            }

            _seen.Enqueue((instrument.Name, value, tagged));
        }
    }

    /// <summary>
    /// An OTLP/HTTP receiver on loopback that keeps what it is sent. The protobuf bodies are
    /// searched for names as UTF-8, which is how protobuf carries strings.
    /// </summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

        private OtlpCollector(WebApplication app, Uri address)
        {
            _app = app;
            Address = address;
        }

        public Uri Address { get; }

        public IEnumerable<string> Paths => _received.Select(r => r.Path);

        public static async Task<OtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            OtlpCollector? collector = null;
            app.MapPost("/{**path}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                collector!._received.Enqueue((context.Request.Path.Value ?? "", body.ToArray()));
                return Results.Ok();
            });
            await app.StartAsync();
            collector = new OtlpCollector(app, new Uri(app.Urls.Single()));
            return collector;
        }

        public bool HasSeen(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            return _received.Any(r => r.Body.AsSpan().IndexOf(bytes) >= 0);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
