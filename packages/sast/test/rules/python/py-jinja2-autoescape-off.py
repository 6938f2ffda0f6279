import jinja2
from jinja2 import Environment, select_autoescape

# ruleid: py-jinja2-autoescape-off
env = jinja2.Environment(loader=loader)
# ruleid: py-jinja2-autoescape-off
env2 = Environment(loader=loader, autoescape=False)
# ok: py-jinja2-autoescape-off
env3 = Environment(loader=loader, autoescape=select_autoescape())
