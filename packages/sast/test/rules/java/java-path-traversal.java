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
}
