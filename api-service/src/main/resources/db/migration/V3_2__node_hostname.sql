-- node.joined carries the host's name: a host-mode sandbox's hostname (Docker). Null for agents before it.
alter table nodes add column hostname text;
