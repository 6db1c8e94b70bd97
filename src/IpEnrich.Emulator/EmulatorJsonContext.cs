using System.Text.Json.Serialization;
using IpEnrich.Emulator.Api;
using IpEnrich.Emulator.Data;
using IpEnrich.Emulator.Diagnostics;
using IpEnrich.Emulator.Hunting;
using IpEnrich.Emulator.Options;

namespace IpEnrich.Emulator;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(IpStatsResponse))]
[JsonSerializable(typeof(ApiErrorResponse))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(NetworkEvent))]
[JsonSerializable(typeof(NetworkEvent[]))]
[JsonSerializable(typeof(AppsReport))]
[JsonSerializable(typeof(FaultOptions))]
[JsonSerializable(typeof(IReadOnlyList<CallRecord>))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(HuntingResponse))]
[JsonSerializable(typeof(GraphErrorResponse))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int[]))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class EmulatorJsonContext : JsonSerializerContext;
