class Load {
  Object load(InputStream in) throws Exception {
    ObjectInputStream ois = new ObjectInputStream(in);
    // ruleid: java-object-input-stream
    return ois.readObject();
  }

  Object loadFiltered(InputStream in) throws Exception {
    ObjectInputStream ois = new ObjectInputStream(in);
    ois.setObjectInputFilter(ObjectInputFilter.Config.createFilter("com.example.*;!*"));
    // ok: java-object-input-stream
    return ois.readObject();
  }
}
