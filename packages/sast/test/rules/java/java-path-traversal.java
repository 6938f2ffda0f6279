class Files1 {
  byte[] read(HttpServletRequest request) throws Exception {
    String name = request.getParameter("file");
    // ruleid: java-path-traversal
    File f = new File("/srv/files/" + name);
    // ruleid: java-path-traversal
    byte[] data = Files.readAllBytes(Paths.get("/srv/files", name));
    // ok: java-path-traversal
    File g = new File("/srv/files/index.html");
    // ok: java-path-traversal
    File h = new File("/srv/files", FilenameUtils.getName(name));
    return data;
  }

  void unzip(ZipFile zip, File dir) throws Exception {
    Enumeration<? extends ZipEntry> entries = zip.entries();
    while (entries.hasMoreElements()) {
      ZipEntry e = entries.nextElement();
      // ruleid: java-path-traversal
      File f = new File(dir, e.getName());
      // ok: java-path-traversal
      File g = new File(dir, FilenameUtils.getName(e.getName()));
      Files.copy(zip.getInputStream(e), f.toPath());
    }
  }

  void rename(File dir, File other) {
    // ok: java-path-traversal
    File f = new File(dir, other.getName());
  }
}
