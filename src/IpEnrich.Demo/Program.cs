using IpEnrich.Demo;
using IpEnrich.Worker.Cli;

var parse = DemoCommand.Create().Parse(args);
if (parse.Errors.Count > 0)
{
    await Console.Error.WriteLineAsync($"ipenrich-demo: {parse.Errors[0].Message} (see --help)");
    return IpEnrichCommandLine.ExitUsage;
}

return await parse.InvokeAsync(new System.CommandLine.InvocationConfiguration { EnableDefaultExceptionHandler = false });
