namespace Customer360.LoadTest.Baselines;

/// <summary>A baseline could not run or did not write what it was given; the message says why.</summary>
internal sealed class BaselineException(string message) : Exception(message);
