using System.Runtime.InteropServices;
using System.Text;

namespace AutoMLGpt.Core.Training;

/// <summary>
/// The LightGBM C API (lib_lightgbm from the LightGBM NuGet package). ML.NET's wrapper exposes no per-iteration metrics,
/// so the trainer drives boosting one iteration at a time itself.
/// </summary>
internal static partial class LightGbmNative
{
    private const string Lib = "lib_lightgbm";
    public const int Float32 = 0, Float64 = 1;

    [LibraryImport(Lib)] private static partial IntPtr LGBM_GetLastError();
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_DatasetCreateFromMat(float[] data, int dataType, int nrow, int ncol, int isRowMajor, string parameters, IntPtr noReference, out IntPtr handle);
    [LibraryImport(Lib, EntryPoint = "LGBM_DatasetCreateFromMat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_DatasetCreateFromMatLike(float[] data, int dataType, int nrow, int ncol, int isRowMajor, string parameters, DatasetHandle reference, out IntPtr handle);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_DatasetSetField(DatasetHandle handle, string field, float[] data, int n, int type);
    [LibraryImport(Lib, EntryPoint = "LGBM_DatasetSetField", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_DatasetSetFieldDouble(DatasetHandle handle, string field, double[] data, int n, int type);
    [LibraryImport(Lib)] internal static partial int LGBM_DatasetFree(IntPtr handle);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterLoadModelFromString(string model, out int iterations, out IntPtr booster);
    /// <summary>Puts <paramref name="other"/>'s trees in front of <paramref name="booster"/>'s (how LightGBM continues from an init model).</summary>
    [LibraryImport(Lib)] public static partial int LGBM_BoosterMerge(BoosterHandle booster, BoosterHandle other);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterCreate(DatasetHandle train, string parameters, out IntPtr booster);
    [LibraryImport(Lib)] public static partial int LGBM_BoosterAddValidData(BoosterHandle booster, DatasetHandle valid);
    [LibraryImport(Lib)] public static partial int LGBM_BoosterUpdateOneIter(BoosterHandle booster, out int finished);
    [LibraryImport(Lib)] public static partial int LGBM_BoosterGetEvalCounts(BoosterHandle booster, out int count);
    [LibraryImport(Lib)] public static partial int LGBM_BoosterGetEval(BoosterHandle booster, int dataIndex, out int count, [Out] double[] results);
    [LibraryImport(Lib)] public static partial int LGBM_BoosterSaveModelToString(BoosterHandle booster, int startIteration, int numIteration, int featureImportanceType, long bufferLength, out long outLength, [Out] byte[]? buffer);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_BoosterPredictForMat(BoosterHandle booster, float[] data, int dataType, int nrow, int ncol, int isRowMajor, int predictType, int startIteration, int numIteration, string parameters, out long outLength, [Out] double[] result);
    [LibraryImport(Lib)] internal static partial int LGBM_BoosterFree(IntPtr booster);
    /// <summary>Joins the machines of a distributed run (state is per thread in LightGBM: init, build and train on one thread).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_NetworkInit(string machines, int localListenPort, int listenTimeOutMinutes, int numMachines);
    [LibraryImport(Lib)] public static partial int LGBM_NetworkFree();

    private static int _liveHandles;

    /// <summary>Boosters and datasets created and not yet freed, in this process (tests check nothing leaks).</summary>
    internal static int LiveHandles => Volatile.Read(ref _liveHandles);

    internal static void Opened() => Interlocked.Increment(ref _liveHandles);
    internal static void Freed() => Interlocked.Decrement(ref _liveHandles);

    /// <summary>A dataset binned from a row-major matrix; <paramref name="reference"/> shares the training set's bins.</summary>
    public static DatasetHandle CreateDataset(float[] data, int rows, int columns, string parameters, DatasetHandle? reference)
    {
        // Wrapped the moment it exists: nothing can throw between the native allocation and its owner.
        Check(reference is null
            ? LGBM_DatasetCreateFromMat(data, Float32, rows, columns, 1, parameters, IntPtr.Zero, out var raw)
            : LGBM_DatasetCreateFromMatLike(data, Float32, rows, columns, 1, parameters, reference, out raw));
        return new DatasetHandle(raw);
    }

    public static BoosterHandle CreateBooster(DatasetHandle train, string parameters)
    {
        Check(LGBM_BoosterCreate(train, parameters, out var raw));
        return new BoosterHandle(raw);
    }

    public static BoosterHandle LoadBooster(string model)
    {
        Check(LGBM_BoosterLoadModelFromString(model, out _, out var raw));
        return new BoosterHandle(raw);
    }

    /// <summary>Throws <see cref="LightGbmException"/> with LightGBM's own message when a call fails.</summary>
    public static void Check(int rc)
    {
        if (rc == 0) return;
        throw new LightGbmException(Marshal.PtrToStringUTF8(LGBM_GetLastError()) ?? "unknown error");
    }

    public static string SaveModel(BoosterHandle booster, int iterations)
    {
        Check(LGBM_BoosterSaveModelToString(booster, 0, iterations, 0, 0, out var length, null));
        var buffer = new byte[length];
        Check(LGBM_BoosterSaveModelToString(booster, 0, iterations, 0, length, out _, buffer));
        return Encoding.UTF8.GetString(buffer, 0, (int)Math.Max(0, length - 1));
    }
}

/// <summary>A LightGBM object freed exactly once, also when its owner's constructor throws or nobody disposes it; counted while alive.</summary>
public abstract class LightGbmHandle : SafeHandle
{
    /// <summary>For the marshaller only; handles are made by <c>LightGbmNative</c>'s Create and Load methods.</summary>
    protected LightGbmHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    private protected void Own(IntPtr raw)
    {
        SetHandle(raw);
        LightGbmNative.Opened();
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LightGbmNative.Freed();
        return Free(handle) == 0;
    }

    private protected abstract int Free(IntPtr raw);
}

/// <summary>A LightGBM booster.</summary>
public sealed class BoosterHandle : LightGbmHandle
{
    public BoosterHandle() { }

    internal BoosterHandle(IntPtr raw) => Own(raw);

    private protected override int Free(IntPtr raw) => LightGbmNative.LGBM_BoosterFree(raw);
}

/// <summary>A LightGBM dataset (binned rows).</summary>
public sealed class DatasetHandle : LightGbmHandle
{
    public DatasetHandle() { }

    internal DatasetHandle(IntPtr raw) => Own(raw);

    private protected override int Free(IntPtr raw) => LightGbmNative.LGBM_DatasetFree(raw);
}

/// <summary>A LightGBM C API call failed; <see cref="NativeMessage"/> is LightGBM's own reason.</summary>
public sealed class LightGbmException(string nativeMessage) : Exception($"LightGBM: {nativeMessage}")
{
    public string NativeMessage { get; } = nativeMessage;

    /// <summary>LightGBM could not allocate (its C++ <c>std::bad_alloc</c>, e.g. under a memory limit).</summary>
    public bool IsOutOfMemory => NativeMessage.Contains("bad_alloc", StringComparison.Ordinal);
}
