namespace IpEnrich.Defender.Options;

/// <summary>
/// Token authority, API base and scope of each Defender cloud, and its Microsoft Graph base and scope (advanced
/// hunting), each overridable by configuration.
/// </summary>
public sealed record DefenderCloud(string Name, string AuthorityHost, string BaseUrl, string Scope, string GraphBaseUrl, string GraphScope)
{
    private const string Graph = "https://graph.microsoft.com";
    private const string GraphUs = "https://graph.microsoft.us";
    private const string GraphDoD = "https://dod-graph.microsoft.us";

    public static readonly DefenderCloud Commercial = new(
        "Commercial", "https://login.microsoftonline.com", "https://api.security.microsoft.com", "https://api.securitycenter.microsoft.com/.default",
        Graph, Graph + "/.default");

    public static readonly DefenderCloud Gcc = new(
        "Gcc", "https://login.microsoftonline.com", "https://api-gcc.securitycenter.microsoft.us", "https://api-gcc.securitycenter.microsoft.us/.default",
        Graph, Graph + "/.default");

    public static readonly DefenderCloud GccHigh = new(
        "GccHigh", "https://login.microsoftonline.us", "https://api-gov.securitycenter.microsoft.us", "https://api-gov.securitycenter.microsoft.us/.default",
        GraphUs, GraphUs + "/.default");

    public static readonly DefenderCloud DoD = new(
        "DoD", "https://login.microsoftonline.us", "https://api-gov.securitycenter.microsoft.us", "https://api-gov.securitycenter.microsoft.us/.default",
        GraphDoD, GraphDoD + "/.default");

    /// <summary>Regional hosts of the commercial cloud (<c>Defender:Region</c>).</summary>
    public static readonly IReadOnlyList<string> CommercialRegions = ["us", "eu", "uk", "au", "swa", "ina"];

    public static readonly IReadOnlyList<DefenderCloud> All = [Commercial, Gcc, GccHigh, DoD];

    /// <summary>Authority hosts of Microsoft's clouds: MSAL validates and discovers these; any other is a custom authority.</summary>
    public static bool IsMicrosoftAuthority(Uri authorityHost)
    {
        ArgumentNullException.ThrowIfNull(authorityHost);
        return authorityHost.Host is "login.microsoftonline.com" or "login.microsoftonline.us" or "login.microsoft.com";
    }

    public static DefenderCloud? Find(string? name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    public static string RegionalBaseUrl(string region) => $"https://{region.ToLowerInvariant()}.api.security.microsoft.com";
}
