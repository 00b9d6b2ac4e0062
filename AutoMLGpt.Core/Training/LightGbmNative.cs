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
    public static partial int LGBM_DatasetCreateFromMat(float[] data, int dataType, int nrow, int ncol, int isRowMajor, string parameters, IntPtr reference, out IntPtr handle);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_DatasetSetField(IntPtr handle, string field, float[] data, int n, int type);
    [LibraryImport(Lib, EntryPoint = "LGBM_DatasetSetField", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_DatasetSetFieldDouble(IntPtr handle, string field, double[] data, int n, int type);
    [LibraryImport(Lib)] public static partial int LGBM_DatasetFree(IntPtr handle);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_BoosterLoadModelFromString(string model, out int iterations, out IntPtr booster);
    /// <summary>Puts <paramref name="other"/>'s trees in front of <paramref name="booster"/>'s (how LightGBM continues from an init model).</summary>
    [LibraryImport(Lib)] public static partial int LGBM_BoosterMerge(IntPtr booster, IntPtr other);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_BoosterCreate(IntPtr train, string parameters, out IntPtr booster);
    [LibraryImport(Lib)] public static partial int LGBM_BoosterAddValidData(IntPtr booster, IntPtr valid);
    [LibraryImport(Lib)] public static partial int LGBM_BoosterUpdateOneIter(IntPtr booster, out int finished);
    [LibraryImport(Lib)] public static partial int LGBM_BoosterGetEvalCounts(IntPtr booster, out int count);
    [LibraryImport(Lib)] public static partial int LGBM_BoosterGetEval(IntPtr booster, int dataIndex, out int count, [Out] double[] results);
    [LibraryImport(Lib)] public static partial int LGBM_BoosterSaveModelToString(IntPtr booster, int startIteration, int numIteration, int featureImportanceType, long bufferLength, out long outLength, [Out] byte[]? buffer);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_BoosterPredictForMat(IntPtr booster, float[] data, int dataType, int nrow, int ncol, int isRowMajor, int predictType, int startIteration, int numIteration, string parameters, out long outLength, [Out] double[] result);
    [LibraryImport(Lib)] public static partial int LGBM_BoosterFree(IntPtr booster);
    /// <summary>Joins the machines of a distributed run (state is per thread in LightGBM: init, build and train on one thread).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_NetworkInit(string machines, int localListenPort, int listenTimeOutMinutes, int numMachines);
    [LibraryImport(Lib)] public static partial int LGBM_NetworkFree();

    /// <summary>Throws with LightGBM's own message when a call fails.</summary>
    public static void Check(int rc)
    {
        if (rc == 0) return;
        var message = Marshal.PtrToStringUTF8(LGBM_GetLastError()) ?? "unknown error";
        throw new InvalidOperationException($"LightGBM: {message}");
    }

    public static string SaveModel(IntPtr booster, int iterations)
    {
        Check(LGBM_BoosterSaveModelToString(booster, 0, iterations, 0, 0, out var length, null));
        var buffer = new byte[length];
        Check(LGBM_BoosterSaveModelToString(booster, 0, iterations, 0, length, out _, buffer));
        return Encoding.UTF8.GetString(buffer, 0, (int)Math.Max(0, length - 1));
    }
}
