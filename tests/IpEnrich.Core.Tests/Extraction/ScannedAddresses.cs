using System.Text;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Core.Tests.Extraction;

/// <summary>What <see cref="IpTextScanner"/> finds in a text, as strings: shared by the scanner's tests.</summary>
internal static class ScannedAddresses
{
    public static string[] Of(string text)
    {
        var found = new List<IpValue>();
        IpTextScanner.Scan(Encoding.UTF8.GetBytes(text), found);
        return [.. found.Select(v => v.ToString())];
    }
}
