namespace IpEnrich.Testing;

/// <summary>Uniquely named files in the temp folder for test keys, certificates and tokens.</summary>
public static class TempFiles
{
    public static string Write(string content, string extension = "")
    {
        var path = Path.Combine(Path.GetTempPath(), $"ipenrich-test-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, content);
        return path;
    }
}
