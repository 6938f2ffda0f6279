class Cmd {
  void run(HttpServletRequest request) throws Exception {
    String dir = request.getParameter("dir");
    // ruleid: java-command-injection
    Runtime.getRuntime().exec("ls " + dir);
    // ruleid: java-command-injection
    new ProcessBuilder("sh", "-c", request.getParameter("cmd")).start();
    // ok: java-command-injection
    Runtime.getRuntime().exec("uptime");
    // ok: java-command-injection
    new ProcessBuilder("ls", "-la").start();
  }
}
