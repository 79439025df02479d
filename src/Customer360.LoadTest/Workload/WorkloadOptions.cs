using System.CommandLine;
using Customer360.Domain.Customers;

namespace Customer360.LoadTest.Workload;

/// <summary>The options that shape the generated workload, shared by every command that generates one.</summary>
internal sealed class WorkloadOptions
{
    public Option<double> Skew { get; } = new("--skew")
    {
        Description = "How unevenly customers are active: the exponent of a Zipf law over them (0: evenly; about 1: a few very busy customers, as in a real shop)",
        HelpName = "s",
    };

    public Option<string?> Mix { get; } = new("--mix")
    {
        Description = "Kinds of touchpoint by relative weight, e.g. purchase=40,return=6,visit=14,call=12,email_open=12 (default: a retail mix of all kinds)",
        HelpName = "kind=weight,...",
    };

    public Option<string?> ChannelMix { get; } = new("--channel-mix")
    {
        Description = "Channels by relative weight, applied among the channels each kind can happen on, e.g. point_of_sale=3,web=1,mobile_app=1 (default: each kind's channels evenly)",
        HelpName = "channel=weight,...",
    };

    public IEnumerable<Option> All => [Skew, Mix, ChannelMix];

    /// <summary>The mix the options describe; throws <see cref="ArgumentException"/> naming the option at fault.</summary>
    public WorkloadMix Read(ParseResult parse) => new WorkloadMix
    {
        Skew = parse.GetValue(Skew),
        Kinds = parse.GetValue(Mix) is { } kinds ? WorkloadMix.ParseWeights<TouchpointKind>(kinds, "--mix") : WorkloadMix.Retail.Kinds,
        Channels = parse.GetValue(ChannelMix) is { } channels ? WorkloadMix.ParseWeights<Channel>(channels, "--channel-mix") : null,
    }.Checked();
}
