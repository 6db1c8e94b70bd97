using IpEnrich.Worker.Cli;

return await IpEnrichCommandLine.RunAsync(args);
