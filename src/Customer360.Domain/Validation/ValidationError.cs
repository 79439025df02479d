namespace Customer360.Domain.Validation;

/// <summary>Why an input was refused, naming the offending field by its API path.</summary>
public sealed record ValidationError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";

    /// <summary>The same error under a parent path, e.g. "occurred_at" becomes "touchpoint.occurred_at".</summary>
    public ValidationError Under(string parent) => this with { Field = $"{parent}.{Field}" };
}
