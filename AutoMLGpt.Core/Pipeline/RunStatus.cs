using System.Text.Json.Serialization;

namespace AutoMLGpt.Core.Pipeline;

/// <summary>Lifecycle of a stage or of a whole experiment run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus { Pending, Running, Succeeded, Failed, Cancelled, Interrupted, Queued }
