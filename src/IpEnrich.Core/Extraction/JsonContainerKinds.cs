using System.Runtime.CompilerServices;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Whether each open container of a <see cref="JsonTokenReader"/> is an array: one bit per level, enough for
/// <see cref="Capacity"/> levels, held inline so that the reader allocates nothing.
/// </summary>
[InlineArray(17)]
internal struct JsonContainerKinds
{
    public const int Capacity = 17 * 64;

    private ulong _word;

    public void Set(int depth, bool isArray)
    {
        var bit = 1UL << (depth & 63);
        ref var word = ref this[depth >> 6];
        word = isArray ? word | bit : word & ~bit;
    }

    public readonly bool Get(int depth) => (this[depth >> 6] & (1UL << (depth & 63))) != 0;
}
