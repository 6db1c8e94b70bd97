namespace IpEnrich.Worker.Tests.Support;

/// <summary>
/// Tests whose figures are about time (answered within N s, no summary missed) run alone, after the parallel ones:
/// on two shared cores, the other integration tests would otherwise be what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAlone
{
    public const string Name = "alone";
}
