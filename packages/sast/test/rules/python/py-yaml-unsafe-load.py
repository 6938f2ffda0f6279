import yaml

# ruleid: py-yaml-unsafe-load
a = yaml.load(text)
# ruleid: py-yaml-unsafe-load
b = yaml.load(text, Loader=yaml.Loader)
# ruleid: py-yaml-unsafe-load
c = yaml.unsafe_load(text)
# ok: py-yaml-unsafe-load
d = yaml.safe_load(text)
# ok: py-yaml-unsafe-load
e = yaml.load(text, Loader=yaml.SafeLoader)
