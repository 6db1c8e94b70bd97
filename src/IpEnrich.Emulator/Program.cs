using IpEnrich.Emulator.Hosting;
using Microsoft.Extensions.Options;

// dotnet run --project src/IpEnrich.Emulator -- --urls https://127.0.0.1:5443 --events FILE --cert-out FILE
try
{
    await EmulatorApp.Create(args).RunAsync();
    return 0;
}
catch (Exception ex) when (ex is FormatException or IOException or OptionsValidationException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"ipenrich-emulator: {ex.Message}");
    return 2;
}
