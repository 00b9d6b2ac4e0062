using System.Numerics.Tensors;

namespace AutoMLGpt.Core.Knowledge;

/// <summary>
/// An in-memory index of unit vectors with SIMD cosine top-k: one contiguous buffer grown in place, so adding a vector
/// is amortised O(d) and a search is one pass of dot products plus a small heap.
/// </summary>
public sealed class VectorIndex(int dimensions) : IDisposable
{
    public void Dispose() => _lock.Dispose();

    private float[] _data = new float[Math.Max(1, dimensions) * 64];
    private readonly ReaderWriterLockSlim _lock = new();

    public int Dimensions { get; } = dimensions;
    public int Count { get; private set; }

    /// <summary>Appends a vector; returns its position.</summary>
    public int Add(ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimensions) throw new ArgumentException($"Expected {Dimensions} dimensions, got {vector.Length}.");
        _lock.EnterWriteLock();
        try
        {
            if ((Count + 1) * Dimensions > _data.Length) Array.Resize(ref _data, _data.Length * 2);
            vector.CopyTo(_data.AsSpan(Count * Dimensions, Dimensions));
            return Count++;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>The <paramref name="k"/> most similar positions, best first.</summary>
    public IReadOnlyList<(int Position, float Similarity)> Search(ReadOnlySpan<float> query, int k, Func<int, bool>? include = null)
    {
        if (query.Length != Dimensions) throw new ArgumentException($"Expected {Dimensions} dimensions, got {query.Length}.");
        var heap = new PriorityQueue<int, float>(k + 1); // min-heap on similarity: the root is the weakest kept
        _lock.EnterReadLock();
        try
        {
            for (var i = 0; i < Count; i++)
            {
                if (include is not null && !include(i)) continue;
                var s = TensorPrimitives.Dot(query, _data.AsSpan(i * Dimensions, Dimensions));
                if (heap.Count < k) heap.Enqueue(i, s);
                else if (heap.TryPeek(out _, out var weakest) && s > weakest) heap.EnqueueDequeue(i, s);
            }
        }
        finally { _lock.ExitReadLock(); }
        var result = new List<(int, float)>(heap.Count);
        while (heap.TryDequeue(out var i, out var s)) result.Add((i, s));
        result.Reverse();
        return result;
    }

    /// <summary>The similarity to one stored vector.</summary>
    public float Similarity(ReadOnlySpan<float> query, int position)
    {
        _lock.EnterReadLock();
        try { return TensorPrimitives.Dot(query, _data.AsSpan(position * Dimensions, Dimensions)); }
        finally { _lock.ExitReadLock(); }
    }
}
