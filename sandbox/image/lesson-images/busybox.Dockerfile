FROM scratch
ADD rootfs.tar /
CMD ["sh"]
