using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// The two byte searches <see cref="JsonTokenReader"/> spends its time in, sixteen bytes at a time: where a string's
/// text stops and where whitespace ends. Hand-written rather than <c>IndexOfAny(SearchValues)</c>, whose set-up cost
/// per call outweighs the search for the short strings and indentation runs alerts are made of.
/// </summary>
internal static class JsonScan
{
    /// <summary>The index of the first quote, backslash or control byte at or after <paramref name="i"/>; the length when none.</summary>
    public static int StringStop(ReadOnlySpan<byte> json, int i)
    {
        ref var start = ref MemoryMarshal.GetReference(json);
        if (Vector128.IsHardwareAccelerated)
        {
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var lastControl = Vector128.Create((byte)0x1F);
            for (; i <= json.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var block = Vector128.LoadUnsafe(ref start, (nuint)i);
                var stops = Vector128.Equals(block, quote) | Vector128.Equals(block, backslash)
                    | Vector128.Equals(Vector128.Min(block, lastControl), block);
                if (stops != Vector128<byte>.Zero)
                {
                    return i + BitOperations.TrailingZeroCount(stops.ExtractMostSignificantBits());
                }
            }
        }

        for (; i < json.Length; i++)
        {
            var c = Unsafe.Add(ref start, i);
            if (c is (byte)'"' or (byte)'\\' or < 0x20)
            {
                return i;
            }
        }

        return json.Length;
    }

    /// <summary>The index of the first byte at or after <paramref name="i"/> that is not JSON whitespace; the length when none.</summary>
    public static int PastWhitespace(ReadOnlySpan<byte> json, int i)
    {
        ref var start = ref MemoryMarshal.GetReference(json);
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= json.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var block = Vector128.LoadUnsafe(ref start, (nuint)i);
                var blank = Vector128.Equals(block, Vector128.Create((byte)' ')) | Vector128.Equals(block, Vector128.Create((byte)'\n'))
                    | Vector128.Equals(block, Vector128.Create((byte)'\r')) | Vector128.Equals(block, Vector128.Create((byte)'\t'));
                var other = ~blank.ExtractMostSignificantBits() & 0xFFFF;
                if (other != 0)
                {
                    return i + BitOperations.TrailingZeroCount(other);
                }
            }
        }

        for (; i < json.Length; i++)
        {
            if (Unsafe.Add(ref start, i) is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            {
                return i;
            }
        }

        return json.Length;
    }
}
