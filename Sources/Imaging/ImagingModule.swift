/// Placeholder until imaging lands (issue 4).
public enum ImagingModule {}
