class Decode {
  Object a(InputStream in) {
    // ruleid: java-unsafe-yaml-xml-decoder
    XMLDecoder d = new XMLDecoder(in);
    // ruleid: java-unsafe-yaml-xml-decoder
    Yaml yaml = new Yaml();
    // ok: java-unsafe-yaml-xml-decoder
    Yaml safe = new Yaml(new SafeConstructor(new LoaderOptions()));
    return d.readObject();
  }
}
