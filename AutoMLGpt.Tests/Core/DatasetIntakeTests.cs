using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Core;

/// <summary>An accepted upload is kept as its file and profile (not its rows); another label column re-profiles it from disk.</summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class DatasetIntakeTests
{
    [Fact]
    public async Task AnUploadIsProfiledAndAnotherLabelReprofilesItFromTheSavedFile()
    {
        var folders = new DataFolders(Directory.CreateTempSubdirectory("automlgpt-intake-").FullName);
        try
        {
            var intake = new DatasetIntake(folders, new TrainingOptions());
            IntakeResult accepted;
            await using (var csv = File.OpenRead(SharedData.Csv("palmer_penguins")))
                accepted = await intake.AcceptAsync(csv, "../penguins.csv", CancellationToken.None);
            Assert.Equal("penguins", accepted.DisplayName);
            Assert.True(File.Exists(folders.DatasetPath(accepted.DatasetFile)));
            Assert.Equal(MlTask.MulticlassClassification, accepted.Profile.SuggestedTask);

            var numericLabel = accepted.Profile.Columns.First(c => c.Kind == ColumnKind.Numeric && c.Distinct > 50).Name;
            var reprofiled = await intake.ReprofileAsync(accepted.DatasetFile, numericLabel, CancellationToken.None);
            Assert.Equal(numericLabel, reprofiled.LabelColumn);
            Assert.Equal(MlTask.Regression, reprofiled.SuggestedTask);
            Assert.Equal(accepted.Profile.Rows, reprofiled.Rows);

            File.Delete(folders.DatasetPath(accepted.DatasetFile)); // gone from the data folder meanwhile: a clear error, not a crash
            await Assert.ThrowsAsync<CsvFormatException>(() => intake.ReprofileAsync(accepted.DatasetFile, numericLabel, CancellationToken.None));
        }
        finally { Directory.Delete(folders.Root, true); }
    }
}
