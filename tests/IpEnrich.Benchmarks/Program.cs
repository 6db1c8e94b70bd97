using BenchmarkDotNet.Running;

// Micro benchmarks: dotnet run -c Release --project tests/IpEnrich.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
