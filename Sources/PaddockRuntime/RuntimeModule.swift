/// The session runtime: OCI bundles, images and layers, runc.
public enum PaddockRuntime {}
