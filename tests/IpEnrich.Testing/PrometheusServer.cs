using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IpEnrich.Testing;

/// <summary>
/// A real <c>prometheus</c> (Debian package; never its service) on a free loopback port with a temporary config and
/// storage, scraping the given targets every second and evaluating the given rule files. Fails the test when missing.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, int port, string directory)
    {
        (_process, Directory) = (process, directory);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Its config, data and log (<c>prometheus.log</c>); the data is removed on dispose, the log kept for a failed test.</summary>
    public string Directory { get; }

    public static async Task<PrometheusServer> StartAsync(IEnumerable<string> targets, IEnumerable<string> ruleFiles, CancellationToken ct)
    {
        var binary = Tool.Require("prometheus");
        var directory = System.IO.Directory.CreateTempSubdirectory("ipenrich-prometheus-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        // JSON is YAML: the paths and targets need no YAML quoting rules.
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["global"] = new JsonObject { ["scrape_interval"] = "1s", ["evaluation_interval"] = "1s" },
            ["rule_files"] = new JsonArray([.. ruleFiles.Select(f => JsonValue.Create(f))]),
            ["scrape_configs"] = new JsonArray(new JsonObject
            {
                ["job_name"] = "ipenrich",
                ["static_configs"] = new JsonArray(new JsonObject { ["targets"] = new JsonArray([.. targets.Select(t => JsonValue.Create(t))]) }),
            }),
        }.ToJsonString(), ct);

        var port = WorkerProcess.FreePort();
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--log.level=warn",
        })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("prometheus did not start");
        var log = TextWriter.Synchronized(new StreamWriter(Path.Combine(directory, "prometheus.log")) { AutoFlush = true });
        process.OutputDataReceived += (_, e) => log.WriteLine(e.Data);
        process.ErrorDataReceived += (_, e) => log.WriteLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, port, directory);
        try
        {
            await Eventually.UntilAsync(server.IsReadyAsync, TimeSpan.FromSeconds(30), $"prometheus is ready (log: {directory}/prometheus.log)", ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>An instant query through /api/v1/query: the result array, or an exception naming Prometheus's error.</summary>
    public async Task<JsonArray> QueryAsync(string expr, CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri("api/v1/query?query=" + Uri.EscapeDataString(expr), UriKind.Relative), ct);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        if ((string?)body?["status"] != "success")
        {
            throw new InvalidOperationException($"Prometheus refused {expr}: {body?["errorType"]} {body?["error"]}");
        }

        return body!["data"]!["result"]!.AsArray();
    }

    /// <summary>A GET on the HTTP API (e.g. <c>api/v1/rules</c>), its <c>data</c>.</summary>
    public async Task<JsonNode> GetAsync(string path, CancellationToken ct)
    {
        var body = await _http.GetFromJsonAsync<JsonObject>(new Uri(path, UriKind.Relative), ct);
        return body!["data"]!;
    }

    public async ValueTask DisposeAsync()
    {
        await WorkerProcess.KillAsync(_process);
        _process.Dispose();
        _http.Dispose();
        try
        {
            System.IO.Directory.Delete(Path.Combine(Directory, "data"), recursive: true);
        }
        catch (IOException)
        {
            // a file still held open: the temp folder is cleaned by the system
        }
    }

    private async Task<bool> IsReadyAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}: {await File.ReadAllTextAsync(Path.Combine(Directory, "prometheus.log"))}");
        }

        try
        {
            using var response = await _http.GetAsync(new Uri("-/ready", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
