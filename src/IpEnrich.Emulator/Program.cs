using IpEnrich.Emulator.Hosting;

// dotnet run --project src/IpEnrich.Emulator -- --urls https://127.0.0.1:5443 --events FILE --cert-out FILE
await EmulatorApp.Create(args).RunAsync();
