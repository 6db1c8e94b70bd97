using BenchmarkDotNet.Running;
using IpEnrich.Benchmarks.Emulator;

// Micro benchmarks:  dotnet run -c Release --project tests/IpEnrich.Benchmarks -- --filter '*'
// Extract CPU:      dotnet run -c Release --project tests/IpEnrich.Benchmarks -- extract-cpu [--rounds N] [--round-ms MS] [--only M[,M…]] [--against BUILD_DIR [--processes N]]
// Cache hits:       dotnet run -c Release --project tests/IpEnrich.Benchmarks -- lookup-cache [--seconds S]
// End to end:       dotnet run -c Release --project tests/IpEnrich.Benchmarks -- load [--alerts N] [--ips U] [--zipf S] [--replicas R] [--alert-bytes B] [--duration S] [--cold] [--backlog-ips N] [--worker-logs DIR]
// Header cost:      dotnet run -c Release --project tests/IpEnrich.Benchmarks -- header-cost [--rounds N] [--messages M] [--poll-on-producer]
// Client cost:      dotnet run -c Release --project tests/IpEnrich.Benchmarks -- client-cost [--rounds N] [--messages M] [--only SIDE]
// Worker A/B:       dotnet run -c Release --project tests/IpEnrich.Benchmarks -- worker-ab --against BUILD_DIR [--rate R] [--rounds N] [--duration S]
// Chaos:            dotnet run -c Release --project tests/IpEnrich.Benchmarks -- load --chaos [--rate R] [--phase-seconds S]
// Emulator load:     dotnet run -c Release --project tests/IpEnrich.Benchmarks -- emulator [--events N] [--seconds S] [--concurrency C] [--http 1.1|2]
return args.FirstOrDefault() switch
{
    "emulator" => await EmulatorThroughput.RunAsync(args[1..]),
    "load" => await IpEnrich.Benchmarks.Load.LoadHarness.RunAsync(args[1..]),
    "copy" => IpEnrich.Benchmarks.Load.CopyCommand.Run(args[1..]), // the load harness's bare copy process, not for people
    "worker-ab" => await IpEnrich.Benchmarks.Load.WorkerComparisonCommand.RunAsync(args[1..]),
    "extract-cpu" => IpEnrich.Benchmarks.Core.ExtractCpuCommand.Run(args[1..]),
    "lookup-cache" => await IpEnrich.Benchmarks.Lookup.CacheHitThroughput.RunAsync(args[1..]),
    "header-cost" => IpEnrich.Benchmarks.Load.HeaderCost.Run(args[1..]),
    "client-cost" => IpEnrich.Benchmarks.Load.ClientCost.Run(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(EmulatorThroughput).Assembly).Run(args);
    return 0;
}
