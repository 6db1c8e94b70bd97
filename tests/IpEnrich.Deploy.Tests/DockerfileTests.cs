using IpEnrich.Testing;

namespace IpEnrich.Deploy.Tests;

/// <summary>The worker image and the worker processes the harness and the process tests start run alike.</summary>
public sealed class DockerfileTests
{
    [Fact]
    public void The_worker_image_sets_each_runtime_variable_that_test_workers_get_with_the_same_value()
    {
        var image = WorkerStageEnvironment(File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "Dockerfile")));
        Assert.NotEmpty(WorkerImageEnvironment.Variables);
        foreach (var (name, value) in WorkerImageEnvironment.Variables)
        {
            Assert.Equal((name, value), (name, image.GetValueOrDefault(name)));
        }
    }

    /// <summary>The <c>ENV</c> instructions of the stage named <c>worker</c>, continuation lines joined.</summary>
    private static Dictionary<string, string> WorkerStageEnvironment(string dockerfile)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var inWorker = false;
        foreach (var line in dockerfile.ReplaceLineEndings("\n").Replace("\\\n", " ", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()))
        {
            if (line.StartsWith("FROM ", StringComparison.Ordinal))
            {
                inWorker = line.EndsWith(" AS worker", StringComparison.OrdinalIgnoreCase);
            }
            else if (inWorker && line.StartsWith("ENV ", StringComparison.Ordinal))
            {
                foreach (var pair in line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    environment[pair[..equals]] = pair[(equals + 1)..];
                }
            }
        }

        return environment;
    }
}
